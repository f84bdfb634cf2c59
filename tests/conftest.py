"""Shared test set-up: the hypothesis profile and a small instrument table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings

from slipstream.model.instrument import Instrument, InstrumentTable

# Speed is measured in bench/, never asserted: no per-example deadline, so a loaded CI machine
# cannot turn a slow example into a failure.
settings.register_profile("slipstream", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("slipstream")


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
