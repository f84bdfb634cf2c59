"""``slipstream estimate``: pre-trade cost forecast, recommended algorithm and schedule.

One trading day (``--date``; default the next weekday after the daily history) fixes the
history: price, ADV and volatility from the daily bars (bundled, or ``--daily FILE``) dated
before it, the spread and the intraday volume profile from the bundled 1-minute bars of the
weeks before it (see :func:`slipstream.algos.estimate.history_before`). The output names the
dates each input used, or says what was assumed where there was no such history. The forecast
itself is :func:`slipstream.algos.estimate.estimate`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from slipstream.algos.estimate import (
    DEFAULT_TURNOVER_RATIO,
    MarketHistory,
    PreTradeEstimate,
    estimate,
    history_before,
)
from slipstream.algos.registry import ALGORITHMS
from slipstream.algos.urgency import urgency_level
from slipstream.cli.main import add_json_flag
from slipstream.cli.output import table, to_json
from slipstream.core.errors import InputError
from slipstream.marketdata.profiles import HistoryUsed, next_weekday
from slipstream.model.enums import Side
from slipstream.model.values import quantity


def register(subparsers: Any) -> None:
    """Add the ``estimate`` command."""
    p = subparsers.add_parser(
        "estimate",
        help="forecast the cost of a parent order and recommend how to work it",
        description=(
            "Forecast the market impact of a parent order under the square-root, "
            "Almgren-Chriss, Almgren et al. (2005) and I-Star models, recommend an algorithm "
            "and participation, and show the schedule. Inputs come from the bundled data."
        ),
    )
    add_json_flag(p)
    p.add_argument("--symbol", required=True, help="ticker, e.g. AAPL")
    p.add_argument("--side", required=True, help="buy or sell")
    p.add_argument("--quantity", required=True, help="shares")
    p.add_argument("--algo", choices=sorted(ALGORITHMS), help="algorithm (default: recommended)")
    p.add_argument("--urgency", default="medium", help="low, medium, high or 0..1 (default medium)")
    p.add_argument("--start", default="09:30", help="start time HH:MM New York (default 09:30)")
    p.add_argument("--end", help="end time HH:MM (default: when the urgency's participation ends)")
    p.add_argument("--slices", type=int, default=10, help="schedule slices (default 10)")
    p.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="trading day of the order: every input comes from history before it "
        "(default: the next weekday after the daily history)",
    )
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="last day of history to use (the trading day is the next weekday); not with --date",
    )
    p.add_argument(
        "--daily",
        type=Path,
        metavar="FILE",
        help="your own daily OHLCV history (the bundled daily file's columns: "
        "date,ticker,open,high,low,close,adj_close,volume)",
    )
    p.add_argument(
        "--turnover-ratio",
        default=f"{DEFAULT_TURNOVER_RATIO:g}",
        help=f"shares outstanding / ADV for the 2005 model (default {DEFAULT_TURNOVER_RATIO:g})",
    )
    p.add_argument("--html", type=Path, help="also write the schedule chart to this HTML file")
    p.set_defaults(func=run)


def parse_clock(text: str, field: str) -> float:
    """Return ``HH:MM`` as seconds after midnight."""
    try:
        hours, minutes = (int(part) for part in text.split(":"))
    except ValueError:
        raise InputError(field, text, "must be a time HH:MM (New York)") from None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise InputError(field, text, "must be a time HH:MM (New York)")
    return hours * 3600.0 + minutes * 60.0


def _as_typed(exc: InputError, args: argparse.Namespace) -> InputError:
    """Return ``exc`` showing the value as the user typed it (``'16:30'``, not seconds)."""
    typed = {
        "start": args.start,
        "end": args.end,
        "quantity": args.quantity,
        "turnover_ratio": args.turnover_ratio,
    }
    if exc.rule is None or exc.field not in typed or typed[exc.field] is None:
        return exc
    field = exc.field
    rule = exc.rule
    if field in ("start", "end"):
        field, rule = f"--{field}", f"{rule} (a time HH:MM, New York)"
    else:
        field = "--" + field.replace("_", "-")
    return type(exc)(field, typed[exc.field], rule, where=exc.where)


def _number(text: str, field: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(field, text, "must be a number") from None


def _clock(secs: float) -> str:
    whole = round(secs)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def run(args: argparse.Namespace) -> int:
    """Compute and print the estimate."""
    symbol = args.symbol.strip().upper()
    try:
        side = Side(args.side.strip().lower())
    except ValueError:
        raise InputError("side", args.side, "must be buy or sell") from None
    qty = int(quantity(args.quantity))
    urgency = urgency_level(args.urgency)
    start = parse_clock(args.start, "--start")
    end = parse_clock(args.end, "--end") if args.end else None
    trading_day = args.date
    if args.as_of is not None:
        if args.date is not None:
            raise InputError("--as-of", args.as_of, "cannot be combined with --date")
        trading_day = next_weekday(_iso(args.as_of, "--as-of"))
    print(f"estimate: reading market inputs for {symbol}...", file=sys.stderr)
    history = history_before(symbol, trading_day, args.daily)
    try:
        result = estimate(
            symbol,
            side.value,
            qty,
            history.inputs,
            history.profile,
            urgency,
            algo=args.algo,
            start_secs=start,
            end_secs=end,
            slices=args.slices,
            turnover_ratio=_number(args.turnover_ratio, "--turnover-ratio"),
        )
    except InputError as exc:
        raise _as_typed(exc, args) from None
    if args.html is not None:
        write_chart(result, args.html)
    if getattr(args, "json", False):
        print(to_json(as_dict(result, history)))
    else:
        print(render(result, history))
    return 0


def _iso(text: str, field: str) -> str:
    value = text.strip()
    try:
        if len(value) == 10 and dt.date.fromisoformat(value).isoformat() == value:
            return value
    except ValueError:
        pass
    raise InputError(field, text, "must be a date YYYY-MM-DD")


def history_dict(used: HistoryUsed) -> dict[str, Any]:
    """Return which history one input used, JSON-ready."""
    return {
        "input": used.input,
        "first_date": used.first_date,
        "last_date": used.last_date,
        "days": used.days,
        "source": used.source,
    }


def as_dict(result: PreTradeEstimate, history: MarketHistory) -> dict[str, Any]:
    """Return the estimate as JSON-ready values."""
    i = result.inputs
    return {
        "trading_day": history.trading_day,
        "history": [history_dict(u) for u in history.used],
        "symbol": result.symbol,
        "side": result.side,
        "quantity": result.quantity,
        "urgency": result.urgency,
        "inputs": {
            "price": i.price,
            "adv": i.adv,
            "sigma_daily": i.sigma_daily,
            "spread_bps": i.spread_bps,
            "size_adv": result.size_adv,
            "sources": [u.describe() for u in history.used],
        },
        "algo": result.algo,
        "recommended_algo": result.recommended_algo,
        "participation": result.participation,
        "start": _clock(result.start_secs),
        "end": _clock(result.end_secs),
        "duration_secs": result.duration_secs,
        "finishes": result.finishes,
        "costs": [
            {"model": c.model, "cost_bps": c.cost_bps, "cost_usd": c.cost_usd, "std_bps": c.std_bps}
            for c in result.costs
        ],
        "schedule": [
            {
                "start": _clock(r.start_secs),
                "quantity": r.quantity,
                "cumulative": r.cumulative,
                "expected_volume": r.expected_volume,
            }
            for r in result.schedule
        ],
        "notes": list(result.notes),
    }


def render(result: PreTradeEstimate, history: MarketHistory) -> str:
    """Return the estimate as readable text."""
    i = result.inputs
    lines = [
        f"{result.side} {result.quantity:,} {result.symbol}  urgency {result.urgency:g}  "
        f"trading day {history.trading_day}",
        f"price ${i.price:,.2f}  ADV {i.adv:,.0f}  size {result.size_adv:.2%} ADV  "
        f"sigma {i.sigma_daily:.2%}/day  spread {i.spread_bps:.1f} bps",
        "",
        table(
            ["model", "cost_bps", "cost_usd", "std_bps"],
            [
                [
                    c.model,
                    f"{c.cost_bps:.2f}",
                    f"{c.cost_usd:,.0f}",
                    "" if c.std_bps is None else f"{c.std_bps:.2f}",
                ]
                for c in result.costs
            ],
        ),
        "",
        f"algorithm {result.algo} (recommended: {result.recommended_algo})  "
        f"participation {result.participation:.1%}",
        f"from {_clock(result.start_secs)} to {_clock(result.end_secs)} New York "
        f"({result.duration_secs / 60:.0f} min){'' if result.finishes else ', does not finish'}",
        "",
        table(
            ["slice_start", "quantity", "cumulative", "expected_mkt_volume"],
            [
                [_clock(r.start_secs), r.quantity, r.cumulative, f"{r.expected_volume:,.0f}"]
                for r in result.schedule
            ],
        ),
    ]
    lines += [f"note: {n}" for n in result.notes]
    lines += ["", f"history before {history.trading_day}:"]
    lines.append(
        table(
            ["input", "first", "last", "days", "source"],
            [
                [u.input, u.first_date or "-", u.last_date or "-", u.days, u.source]
                for u in history.used
            ],
        )
    )
    return "\n".join(lines)


def write_chart(result: PreTradeEstimate, path: Path) -> None:
    """Write the estimate page (the four cost forecasts, inputs and the schedule chart; see
    :mod:`slipstream.reports.estimate_page`) and the shared ``plotly.min.js`` beside it."""
    from slipstream.reports.estimate_page import write_estimate

    write_estimate(result, path)
