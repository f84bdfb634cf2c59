"""Build the national best bid and offer from one-sided quote ticks.

The TAQ-style quote files carry one side per row (the other side is 0), and the ``exchange``
column names the venue quoting that side. In the bundled IBM file the rows are a consolidated
best-quote feed: within a millisecond a bid row and an ask row arrive together, and the latest
bid row and latest ask row make an uncrossed market 99.1–99.7 % of the session. Keeping the
latest quote *per exchange* and taking the best across exchanges instead leaves stale quotes of
exchanges that are no longer at the best, and gives a crossed or locked book in over 99 % of
the regular session (2013-10-08). So the
NBBO here is: the latest bid row and the latest ask row, taken at the last row of each
timestamp (a bid/ask pair is applied together, never half).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Nbbo:
    """Best prices (float, for lookup of the exact text) and sizes, one row per input row."""

    bid: FloatArray
    ask: FloatArray
    bid_size: IntArray
    ask_size: IntArray


def _latest(price: FloatArray, size: IntArray) -> tuple[FloatArray, IntArray]:
    quoted = price > 0
    latest_price = np.asarray(
        pd.Series(np.where(quoted, price, np.nan)).ffill().to_numpy(float), dtype=np.float64
    )
    latest_size = pd.Series(np.where(quoted, size, np.nan)).ffill().fillna(0).to_numpy(float)
    return latest_price, latest_size.astype(np.int64)


def build_nbbo(bid: FloatArray, bid_size: IntArray, ask: FloatArray, ask_size: IntArray) -> Nbbo:
    """Return the NBBO after each row of one trading day (rows in time order).

    A row with a price of 0 on a side leaves that side as it was. Before a side has been
    quoted its price is NaN.
    """
    best_bid, bid_total = _latest(bid, bid_size)
    best_ask, ask_total = _latest(ask, ask_size)
    return Nbbo(best_bid, best_ask, bid_total, ask_total)


def change_points(nbbo: Nbbo, ts: IntArray) -> npt.NDArray[np.bool_]:
    """Return a mask of rows to emit: the last row of each timestamp, when the NBBO is two-sided,
    uncrossed (bid < ask) and different from the last emitted state.

    Locked or crossed moments are not a market anyone could trade on, so they are not emitted.
    """
    n = len(ts)
    last_of_ts = np.ones(n, dtype=bool)
    if n > 1:
        last_of_ts[:-1] = ts[1:] != ts[:-1]
    valid = last_of_ts & ~np.isnan(nbbo.bid) & ~np.isnan(nbbo.ask) & (nbbo.bid < nbbo.ask)
    rows = np.flatnonzero(valid)
    state = np.column_stack(
        [nbbo.bid[rows], nbbo.ask[rows], nbbo.bid_size[rows], nbbo.ask_size[rows]]
    )
    changed = np.ones(len(rows), dtype=bool)
    if len(rows) > 1:
        changed[1:] = (state[1:] != state[:-1]).any(axis=1)
    mask = np.zeros(n, dtype=bool)
    mask[rows[changed]] = True
    return mask
