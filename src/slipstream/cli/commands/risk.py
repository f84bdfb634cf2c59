"""``slipstream risk``: what-if checks, the risk report and the ES backtest.

``ORDER`` is a JSON object or ``key=value`` pairs separated by commas, with keys ``symbol``,
``side`` (buy/sell), ``quantity``, and optionally ``type`` (market, limit, stop, stop_limit),
``limit_price``, ``stop_price``, ``tif`` (day, gtc, ioc, fok), ``client_order_id`` and
``parent_id``. Examples: ``symbol=AAPL,side=buy,quantity=500,type=limit,limit_price=127.40``
or ``'{"symbol": "AAPL", "side": "buy", "quantity": 500}'``.

Scenarios and correlation clusters come from daily returns (bundled, or ``--daily FILE``) dated
strictly before the trading day (``--date``; default the next weekday after the history), and
the output names the dates they used.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from slipstream.cli.main import add_json_flag
from slipstream.cli.output import table, to_json
from slipstream.core.bus import MessageBus
from slipstream.core.clock import LiveClock
from slipstream.core.errors import OrderInputError
from slipstream.core.ids import ClientOrderId
from slipstream.core.progress import work
from slipstream.marketdata.profiles import HistoryUsed
from slipstream.marketdata.reference import instruments_for, sector_map
from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.orders_spec import OrderSpec
from slipstream.model.values import price, quantity
from slipstream.risk.backtest import SIGNIFICANCE, rolling_backtest
from slipstream.risk.data import daily_returns_of, equal_weight_returns, history_of, returns_before
from slipstream.risk.engine import RiskEngine
from slipstream.risk.es import METHODS
from slipstream.risk.limits import load_limits
from slipstream.risk.report import risk_report
from slipstream.risk.setup import load_portfolio

_ORDER_KEYS = (
    "symbol",
    "side",
    "quantity",
    "type",
    "limit_price",
    "stop_price",
    "tif",
    "client_order_id",
    "parent_id",
)


class _NoOpenOrders:
    """A what-if runs against the portfolio file alone: no working orders."""

    def working(self) -> list[Any]:
        return []


def parse_order(text: str) -> OrderSpec:
    """Return the order described by ``text`` (a JSON object or ``key=value,...``)."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            raw = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise OrderInputError("ORDER", text, f"is not valid JSON: {exc}") from None
        if not isinstance(raw, dict):
            raise OrderInputError("ORDER", text, "must be a JSON object")
        fields = {str(k): v for k, v in raw.items()}
    else:
        fields = {}
        for part in filter(None, (p.strip() for p in stripped.split(","))):
            key, sep, value = part.partition("=")
            if not sep:
                raise OrderInputError("ORDER", part, "each item must be key=value")
            fields[key.strip()] = value.strip()
    unknown = sorted(set(fields) - set(_ORDER_KEYS))
    if unknown:
        raise OrderInputError(
            unknown[0], fields[unknown[0]], f"unknown key ({', '.join(_ORDER_KEYS)})"
        )
    for key in ("symbol", "side", "quantity"):
        if key not in fields:
            raise OrderInputError(key, None, "is required")

    def choice(key: str, enum: Any, default: str) -> Any:
        typed = fields.get(key, default)
        try:
            return enum(str(typed).strip().lower())
        except ValueError:
            options = ", ".join(m.value for m in enum)
            raise OrderInputError(key, typed, f"must be one of {options}") from None

    qty_raw = fields["quantity"]
    limit = fields.get("limit_price")
    stop = fields.get("stop_price")
    return OrderSpec(
        client_order_id=ClientOrderId(str(fields.get("client_order_id", "WHATIF-1"))),
        symbol=str(fields["symbol"]).upper(),
        side=choice("side", Side, "buy"),
        quantity=quantity(str(qty_raw) if isinstance(qty_raw, float) else qty_raw),
        order_type=choice("type", OrderType, "limit" if limit is not None else "market"),
        time_in_force=choice("tif", TimeInForce, "day"),
        limit_price=price(str(limit), "limit_price") if limit is not None else None,
        stop_price=price(str(stop), "stop_price") if stop is not None else None,
        parent_id=str(fields["parent_id"]) if "parent_id" in fields else None,
    )


def _source(args: argparse.Namespace) -> str:
    daily: Path | None = getattr(args, "daily", None)
    return str(daily) if daily is not None else "bundled daily file"


def _engine(
    args: argparse.Namespace, extra_symbol: str | None = None
) -> tuple[RiskEngine, int, str, list[HistoryUsed]]:
    """Return the engine, now, the trading day and the history its scenarios and clusters used."""
    portfolio = load_portfolio(args.portfolio)
    symbols = set(sector_map()) | set(portfolio.positions)
    if extra_symbol:
        symbols.add(extra_symbol)
    source = _source(args)
    returns, day = returns_before(daily_returns_of(args.daily), args.date, source)
    limits = load_limits(args.limits)
    clock = LiveClock()
    engine = RiskEngine(
        portfolio,
        instruments_for(symbols),
        _NoOpenOrders(),
        clock,
        MessageBus(),
        limits=limits,
        returns=returns,
    )
    used = [
        history_of("scenarios", returns, limits.es_window_days, source),
        history_of("clusters", returns, limits.correlation_lookback_days, source),
    ]
    return engine, clock.timestamp_ns(), day, used


def _history_json(day: str, used: list[HistoryUsed]) -> dict[str, Any]:
    return {
        "trading_day": day,
        "history": [
            {
                "input": u.input,
                "first_date": u.first_date,
                "last_date": u.last_date,
                "days": u.days,
                "source": u.source,
            }
            for u in used
        ],
    }


def _history_text(day: str, used: list[HistoryUsed]) -> str:
    return f"history before {day}:\n" + "\n".join(f"  {u.describe()}" for u in used)


def _add_history_flags(parser: argparse.ArgumentParser, with_date: bool = True) -> None:
    parser.add_argument(
        "--daily",
        type=Path,
        metavar="FILE",
        help="your own daily OHLCV history (columns date,ticker,open,high,low,close,"
        "adj_close,volume; default: the bundled sample)",
    )
    if with_date:
        parser.add_argument(
            "--date",
            metavar="YYYY-MM-DD",
            help="trading day: scenarios use returns before it (default: the next weekday "
            "after the daily history)",
        )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``risk`` command and its ``check``, ``report`` and ``backtest`` actions."""
    p = subparsers.add_parser(
        "risk",
        help="pre-trade risk: what-if checks, risk report, ES backtest",
        description="Pre-trade risk tools. See docs/risk.md.",
    )
    add_json_flag(p)
    actions = p.add_subparsers(dest="risk_action", metavar="ACTION", required=True)

    check = actions.add_parser(
        "check",
        help="would this order pass? every check's figures",
        description=(
            "Run every pre-trade check on ORDER against the portfolio file and print each "
            "check's verdict and figures. Exit 0 if the order would pass, 1 if denied. "
            "ORDER is a JSON object or key=value,... (symbol, side, quantity, type, "
            "limit_price, stop_price, tif, client_order_id, parent_id)."
        ),
    )
    check.add_argument("order", metavar="ORDER", help="the order (JSON or key=value,...)")
    report = actions.add_parser(
        "report",
        help="exposures by name/sector/cluster, ES by method, headroom per limit",
        description="Print the portfolio's exposures, Expected Shortfall and limit headroom.",
    )
    for sub in (check, report):
        sub.add_argument("--portfolio", type=Path, required=True, help="portfolio JSON file")
        sub.add_argument(
            "--limits", type=Path, default=None, help="limits TOML (default: built-in)"
        )
        add_json_flag(sub)
        _add_history_flags(sub)
    check.set_defaults(func=run_check)
    report.set_defaults(func=run_report)

    backtest = actions.add_parser(
        "backtest",
        help="backtest the ES methods on the bundled daily data",
        description=(
            "Rolling one-day ES forecasts for an equal-weight portfolio of the bundled daily "
            "sample, scored by breach count and the Acerbi–Székely Z2 statistic."
        ),
    )
    backtest.add_argument("--window", type=int, default=250, help="estimation window (days)")
    backtest.add_argument("--level", type=float, default=0.975, help="ES level (default 0.975)")
    _add_history_flags(backtest, with_date=False)
    add_json_flag(backtest)
    backtest.set_defaults(func=run_backtest)

    demo = actions.add_parser(
        "demo",
        help="a scripted session: one denial of each kind, override, automatic halt, kill switch",
        description=(
            "Trade a book of real names at the last close of the bundled daily data through "
            "the OMS, the risk engine, the journal and the simulated venue, showing one denial "
            "of each kind with its reason, an override, an automatic halt and the kill switch."
        ),
    )
    add_json_flag(demo)
    demo.set_defaults(func=run_demo)


def run_check(args: argparse.Namespace) -> int:
    """Print every check's verdict on ORDER; exit 1 if it would be denied."""
    spec = parse_order(args.order)
    # As strict as simulate's orders file: a stop with no stop price is refused, not judged.
    spec.validate(instruments_for([spec.symbol], quiet=True).get(spec.symbol))
    engine, now, day, used = _engine(args, spec.symbol)
    decision = engine.evaluate(spec, now)
    denying = [r.check for r in decision.results if r.enabled and not r.passed]
    if getattr(args, "json", False):
        payload = {
            **_history_json(day, used),
            "approved": decision.approved,
            "denial": None
            if decision.denial is None
            else {"check": decision.denial.check, "reason": decision.denial.reason},
            "denied_by": denying,
            "trading_state": engine.state.value,
            "checks": [
                {
                    "check": r.check,
                    "passed": r.passed,
                    "enabled": r.enabled,
                    "reason": r.reason,
                    "override_id": r.override_id,
                    "figures": r.figures,
                }
                for r in decision.results
            ],
        }
        print(to_json(payload))
    else:
        verdict = "APPROVED" if decision.approved else f"DENIED by {', '.join(denying)}"
        print(_wrap(f"{spec.side.value} {spec.quantity} {spec.symbol}: {verdict}", "    "))
        width = max(len(r.check) for r in decision.results) if decision.results else 5
        for r in decision.results:
            result = "pass" if r.passed and r.enabled else ("off" if not r.enabled else "DENY")
            detail = r.reason or ", ".join(f"{k}={_figure(v)}" for k, v in r.figures.items())
            head = f"  {r.check:<{width}}  {result:<4}  "
            print(_wrap(head + detail, " " * len(head)))
        print(_history_text(day, used))
    return 0 if decision.approved else 1


#: Longest line ``risk check`` and ``risk report`` print.
WIDTH = 100


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(
        text, WIDTH, subsequent_indent=indent, break_long_words=True, break_on_hyphens=False
    )


def _figure(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return str(value)


def _money(value: object) -> str:
    return f"{Decimal(str(value)):,.2f}"


def _pct(value: object) -> str:
    return "-" if value is None else f"{float(str(value)):.2f}"


def run_report(args: argparse.Namespace) -> int:
    """Print the risk report of the portfolio file."""
    engine, now, day, used = _engine(args)
    data = {**risk_report(engine, now), **_history_json(day, used)}
    if getattr(args, "json", False):
        print(to_json(data))
        return 0
    print(
        f"trading state: {data['trading_state']}  NAV {_money(data['nav'])}  "
        f"cash {_money(data['cash'])}  net {_money(data['net_exposure'])}  "
        f"gross {_money(data['gross_exposure'])}"
    )
    for warning in data["warnings"]:
        print(_wrap(f"warning: unknown symbol {warning}", "    "))
    if data["breaches"]:
        print(_wrap(f"BREACH: {', '.join(data['breaches'])}", "    "))
    headers = ("name", "exposure", "% NAV", "gross % NAV", "limit %", "headroom", "breach")
    for key in ("names", "sectors", "clusters"):
        print(f"\n{key}")
        rows = [
            (
                r["name"],
                _money(r["exposure"]),
                _pct(r["pct_nav"]),
                _pct(r["gross_pct_nav"]),
                _pct(r["limit_pct"]),
                _money(r["headroom"]),
                "BREACH" if r["breach"] else "",
            )
            + ((", ".join(r["members"]),) if key == "clusters" else ())
            for r in data[key]
        ]
        heads = (*headers, "members") if key == "clusters" else headers
        print(table(heads, rows) if rows else "(none)")
    es = data["expected_shortfall"]
    print(
        f"\n1-day ES {es['level']} over {es['scenarios']} days ({' to '.join(es['scenario_dates'])})"
    )
    print(
        table(
            ("method", "% NAV"),
            [(m["label"], _pct(m["pct_nav"])) for m in es["methods"]],
        )
    )
    print(
        f"pre-trade check ({es['check_scenarios_label']} scenarios): "
        f"{_pct(es['check_pct_nav'])}% of NAV"
    )
    print(
        f"limit {_pct(es['limit_pct'])}% of NAV, headroom {_pct(es['headroom_pct'])} points"
        + ("  BREACH" if es["breach"] else "")
    )
    print(_history_text(day, used))
    return 0


def run_backtest(args: argparse.Namespace) -> int:
    """Backtest every ES method on the equal-weight portfolio of the bundled daily data."""
    returns = equal_weight_returns(daily_returns_of(args.daily))
    total = max(0, len(returns) - args.window) * len(METHODS)
    with work(
        f"backtesting {len(returns)} days, window {args.window}",
        total,
        line=f"backtesting {len(returns)} days, window {args.window} ...",
    ) as advance:
        results = rolling_backtest(returns.to_numpy(), args.window, args.level, progress=advance)
    # Each forecast uses the window of returns before its day; these are all the days read.
    used = history_of("returns", returns.to_frame(), len(returns), _source(args))
    if getattr(args, "json", False):
        print(to_json([asdict(r) for r in results]))
        return 0
    rows = [
        (
            r.method,
            r.days,
            r.breaches,
            f"{r.expected_breaches:.1f}",
            f"{r.kupiec_p_value:.4f}",
            f"{r.conditional_coverage_p_value:.4f}",
            r.traffic_light,
            f"{r.z2:.3f}",
            f"{r.mean_es * 100:.2f}",
            "reject" if r.rejected else "accept",
        )
        for r in results
    ]
    headers = (
        "method",
        "days",
        "breaches",
        "expected",
        "Kupiec p",
        "Christoffersen p",
        "traffic light",
        "Z2",
        "mean ES %",
        "Z2 test",
    )
    print(table(headers, rows))
    first = results[0]
    print(
        f"Z2 {SIGNIFICANCE:.0%} critical value {first.z2_critical:.3f}, simulated for "
        f"{first.days:,} days under a Student-t tail with {first.tail_df:.1f} df fitted to the "
        "EWMA-standardised returns (Acerbi & Székely 2014; -0.70 is the 250-day figure)"
    )
    print(f"history: {used.describe()}; each forecast uses the {args.window} days before it")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """Run the scripted risk session and print each step's outcome and reason."""
    from slipstream.cli.risk_showcase import run_showcase

    steps, coverage = run_showcase()
    if getattr(args, "json", False):
        print(to_json({"steps": [asdict(s) for s in steps], "coverage": coverage}))
        return 0
    rows = [(s.step, s.action, s.outcome, s.check, s.reason) for s in steps]
    print(table(("step", "action", "outcome", "code", "reason"), rows))
    print(
        f"\n{coverage['with_risk_approval']} of {coverage['orders_at_venue']} orders at the venue "
        "have a journalled risk approval"
    )
    return 0
