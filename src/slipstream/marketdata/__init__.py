"""Market data: loaders for the supported file formats and a merged, time-ordered replay."""

from slipstream.marketdata.columns import LoadFilter
from slipstream.marketdata.loaders import detect_format, load_file, load_sources, make_filter
from slipstream.marketdata.replay import MarketReplay, load_market

__all__ = [
    "LoadFilter",
    "MarketReplay",
    "detect_format",
    "load_file",
    "load_market",
    "load_sources",
    "make_filter",
]
