"""Shared fixtures: instruments and a minimal broker that records requests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from slipstream.model.instrument import Instrument, InstrumentTable


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
