"""Shared test set-up: the hypothesis profile and a small instrument table."""

from __future__ import annotations

import os
import secrets
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from slipstream.model.instrument import Instrument, InstrumentTable

# Speed is measured in bench/, never asserted: no per-example deadline, so a loaded CI machine
# cannot turn a slow example into a failure.
settings.register_profile("slipstream", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("slipstream")

# The deployment's journal key, for this test run only (never the user's ~/.slipstream key):
# set before any test opens a journal, inherited by the subprocesses tests start.
if "SLIPSTREAM_JOURNAL_KEY_FILE" not in os.environ:
    _KEY_FILE = Path(tempfile.mkdtemp(prefix="slipstream-test-key-")) / "journal.key"
    _KEY_FILE.write_text(secrets.token_hex(32) + "\n")
    os.environ["SLIPSTREAM_JOURNAL_KEY_FILE"] = str(_KEY_FILE)


@pytest.fixture
def instruments() -> InstrumentTable:
    return InstrumentTable(
        [
            Instrument("IBM", Decimal("0.01"), 1, "Information Technology"),
            Instrument("BAC", Decimal("0.01"), 1, "Financials"),
            Instrument("AAPL", Decimal("0.01"), 1, "Information Technology"),
            Instrument("LOT", Decimal("0.05"), 100, "Industrials"),
        ]
    )
