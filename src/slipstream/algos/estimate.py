"""Pre-trade estimate: forecast cost, recommended algorithm, duration and schedule of a parent.

Given the stock's daily statistics and intraday volume profile, :func:`estimate`:

1. sets the **participation** from the urgency (or from a given end time: the share of the
   window's expected volume the order needs);
2. finds the **duration**: the time from the start until the expected market volume times the
   participation covers the order (capped at the close — then the order cannot finish today at
   that pace, and the estimate says which participation would be needed);
3. forecasts the **cost** under each model — square-root law (``Y`` calibrated on the bundled
   tape), Almgren–Chriss (expected cost and
   its standard deviation for the urgency's trajectory), Almgren et al. (2005) and I-Star — in
   bps of the price and in dollars;
4. **recommends** an algorithm: Implementation Shortfall when urgency is high (timing risk
   dominates), VWAP when the order needs an hour or more (follow the day's volume), otherwise
   POV (a steady share of live volume);
5. lays out the **schedule** of the chosen algorithm in equal slices of the horizon.

Its market inputs come from :func:`history_before`: one trading day fixes the history window,
and every input (price, ADV, volatility, spread, volume profile) is measured on data dated
strictly before that day and close to it, so years never mix; an input with no such history is
assumed and says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from slipstream.algos.engine import ProfileSource
from slipstream.algos.history import slice_weights_ns
from slipstream.algos.implementation_shortfall import (
    SESSION_SECS,
    almgren_chriss_model,
    urgency_trajectory,
)
from slipstream.algos.registry import algorithm_class
from slipstream.algos.schedule import (
    profile_fractions,
    slice_quantities,
    trajectory_fractions,
    twap_fractions,
)
from slipstream.algos.template import MarketInputs
from slipstream.algos.urgency import participation_for
from slipstream.core.errors import InputError
from slipstream.core.timestamps import ns_to_exchange
from slipstream.impact import Almgren2005Impact, IStarImpact, SquareRootImpact
from slipstream.marketdata.profiles import (
    HistoryUsed,
    VolumeProfile,
    bundled_daily_path,
    daily_bars,
    minute_dates,
    minute_days_before,
    minute_trade_bars,
    next_weekday,
    read_daily_history,
    sessions_before,
    volume_profile_before,
)
from slipstream.marketdata.stats import spread_before, volatility_before

#: Θ/V (shares outstanding over ADV) assumed for the 2005 model when none is given: a daily
#: turnover of 0.5 %, typical of a large US stock.
DEFAULT_TURNOVER_RATIO = 200.0
VWAP_MIN_DURATION_SECS = 3_600.0
IS_MIN_URGENCY = 0.75
ADV_WINDOW_DAYS = 20
VOLATILITY_WINDOW_DAYS = 60
#: The daily history must reach within this many calendar days of the trading day (a long
#: weekend plus a holiday fits); older inputs would price a different market.
MAX_HISTORY_GAP_DAYS = 7
#: Intraday inputs (spread, volume profile) come from minute bars in this many calendar days
#: before the trading day.
INTRADAY_LOOKBACK_DAYS = 30
#: Stocks with bundled 1-minute bars, pooled for a name that has none in the lookback.
POOLED_PROFILE_SYMBOLS = ("AAPL", "AIG", "BAC", "IBM")


@dataclass(frozen=True, slots=True)
class ModelCost:
    """One model's forecast: cost in bps of the price and in dollars (std dev when it has one)."""

    model: str
    cost_bps: float
    cost_usd: float
    std_bps: float | None = None


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One slice of the forecast schedule (times are seconds after midnight, New York)."""

    start_secs: float
    quantity: int
    cumulative: int
    expected_volume: float


@dataclass(frozen=True, slots=True)
class PreTradeEstimate:
    """Everything ``slipstream estimate`` reports."""

    symbol: str
    side: str
    quantity: int
    urgency: float
    inputs: MarketInputs
    size_adv: float
    algo: str
    recommended_algo: str
    participation: float
    start_secs: float
    end_secs: float
    finishes: bool
    costs: tuple[ModelCost, ...]
    schedule: tuple[ScheduleRow, ...]
    notes: tuple[str, ...]

    @property
    def duration_secs(self) -> float:
        """Return the expected time to complete, seconds."""
        return self.end_secs - self.start_secs


def _end_for_participation(
    profile: VolumeProfile, adv: float, quantity: int, rate: float, start: float
) -> float | None:
    """Return when ``rate × expected volume since start`` reaches ``quantity`` (None: not today)."""
    close = float(profile.close_secs)
    if rate * adv * profile.fraction_between(start, close) < quantity:
        return None
    lo, hi = start, close
    for _ in range(60):  # bisection to well under a second
        mid = (lo + hi) / 2
        if rate * adv * profile.fraction_between(start, mid) >= quantity:
            hi = mid
        else:
            lo = mid
    return hi


def _costs(
    inputs: MarketInputs,
    quantity: int,
    participation: float,
    horizon_days: float,
    urgency: float,
    turnover_ratio: float,
    periods: int,
) -> list[ModelCost]:
    notional = quantity * inputs.price
    rows = []
    models = (SquareRootImpact.calibrated(), Almgren2005Impact(turnover_ratio), IStarImpact())
    for model in models:
        bps = model.cost_bps(quantity, inputs.adv, inputs.sigma_daily, participation, horizon_days)
        rows.append(ModelCost(model.name, bps, bps * notional / 1e4))
    ac = almgren_chriss_model(inputs, quantity, horizon_days)
    traj = urgency_trajectory(ac, quantity, horizon_days, periods, urgency)
    rows.insert(
        1,
        ModelCost(
            "almgren_chriss",
            traj.expected_cost / notional * 1e4,
            traj.expected_cost,
            traj.std_dev / notional * 1e4,
        ),
    )
    return rows


def recommend(urgency: float, duration_secs: float) -> str:
    """Return the recommended algorithm by the rules in the module docstring."""
    if urgency >= IS_MIN_URGENCY:
        return "is"
    if duration_secs >= VWAP_MIN_DURATION_SECS:
        return "vwap"
    return "pov"


def estimate(
    symbol: str,
    side: str,
    quantity: int,
    inputs: MarketInputs,
    profile: VolumeProfile,
    urgency: float,
    algo: str | None = None,
    start_secs: float | None = None,
    end_secs: float | None = None,
    slices: int = 10,
    turnover_ratio: float = DEFAULT_TURNOVER_RATIO,
) -> PreTradeEstimate:
    """Return the pre-trade estimate of working ``quantity`` shares of ``symbol``."""
    if quantity <= 0:
        raise InputError("quantity", quantity, "must be a whole number of shares > 0")
    if slices <= 0:
        raise InputError("slices", slices, "must be a whole number > 0")
    open_secs, close_secs = float(profile.open_secs), float(profile.close_secs)
    start = open_secs if start_secs is None else start_secs
    if not open_secs <= start < close_secs:
        raise InputError("start", start, "must fall within the regular session 09:30–16:00")
    notes: list[str] = []
    finishes = True
    if end_secs is not None:
        if not start < end_secs <= close_secs:
            raise InputError("end", end_secs, "must be after the start and by the close 16:00")
        end = end_secs
        window_volume = inputs.adv * profile.fraction_between(start, end)
        rate = quantity / window_volume if window_volume > 0 else float("inf")
        if rate > 1.0:
            notes.append(f"the window's expected volume covers {1 / rate:.0%} of the order")
            finishes, rate = False, 1.0
    else:
        rate = participation_for(urgency)
        found = _end_for_participation(profile, inputs.adv, quantity, rate, start)
        if found is None:
            end, finishes = close_secs, False
            window_volume = inputs.adv * profile.fraction_between(start, end)
            needed = quantity / window_volume
            notes.append(
                f"at {rate:.1%} participation the order cannot finish by the close; "
                f"finishing today needs {needed:.1%}"
            )
            rate = min(1.0, needed)
        else:
            end = found
    recommended = recommend(urgency, end - start)
    chosen = algorithm_class(algo).name if algo is not None else recommended
    horizon_days = (end - start) / SESSION_SECS
    costs = _costs(inputs, quantity, rate, horizon_days, urgency, turnover_ratio, slices)
    weights = profile.slice_weights(start, end, slices)
    if chosen == "twap":
        fractions = twap_fractions(slices)
    elif chosen == "is":
        model = almgren_chriss_model(inputs, quantity, horizon_days)
        traj = urgency_trajectory(model, quantity, horizon_days, slices, urgency)
        fractions = trajectory_fractions(traj.holdings)
    else:  # vwap, pov and iceberg all trade with the market's volume
        fractions = profile_fractions(weights)
    step = (end - start) / slices
    window_volume = inputs.adv * profile.fraction_between(start, end)
    cumulative = 0
    rows = []
    for k, qty in enumerate(slice_quantities(quantity, fractions)):
        cumulative += qty
        rows.append(ScheduleRow(start + k * step, qty, cumulative, weights[k] * window_volume))
    return PreTradeEstimate(
        symbol=symbol,
        side=side,
        quantity=quantity,
        urgency=urgency,
        inputs=inputs,
        size_adv=quantity / inputs.adv,
        algo=chosen,
        recommended_algo=recommended,
        participation=rate,
        start_secs=start,
        end_secs=end,
        finishes=finishes,
        costs=tuple(costs),
        schedule=tuple(rows),
        notes=tuple(notes),
    )


# --- market inputs from the history before one trading day ----------------------------------


@dataclass(frozen=True, slots=True)
class MarketHistory:
    """Market inputs measured on history that ends strictly before ``trading_day``."""

    symbol: str
    trading_day: str
    inputs: MarketInputs
    profile: VolumeProfile
    used: tuple[HistoryUsed, ...]
    daily_source: str


def _flat_profile() -> VolumeProfile:
    return VolumeProfile("*", 60, tuple([1 / 390] * 390), 0)


def _pooled_before(trading_day: str) -> tuple[VolumeProfile, HistoryUsed] | None:
    """Return the profile pooled over the stocks with minute bars in the lookback, if any."""
    found: list[VolumeProfile] = []
    dates: set[str] = set()
    for name in POOLED_PROFILE_SYMBOLS:
        one = volume_profile_before(name, trading_day, INTRADAY_LOOKBACK_DAYS)
        if one is not None:
            found.append(one[0])
            dates |= {str(one[1].first_date), str(one[1].last_date)}
            dates |= set(
                minute_days_before(minute_trade_bars(name), trading_day, INTRADAY_LOOKBACK_DAYS)
            )
    if not found:
        return None
    weights = [sum(p.weights[i] for p in found) / len(found) for i in range(len(found[0].weights))]
    total = sum(weights)
    profile = VolumeProfile(
        "*", found[0].bucket_secs, tuple(w / total for w in weights), len(dates)
    )
    names = ", ".join(p.symbol for p in found)
    used = HistoryUsed(
        "profile", min(dates), max(dates), len(dates), f"volume profile pooled over {names}"
    )
    return profile, used


def history_before(
    symbol: str,
    trading_day: str | None = None,
    daily: Path | str | None = None,
) -> MarketHistory:
    """Return the market inputs of ``symbol`` for ``trading_day`` from history before it.

    Parameters
    ----------
    symbol:
        Ticker.
    trading_day:
        ISO date the order is worked on (``--date``). None: the next weekday after the last
        date of the symbol's daily history.
    daily:
        A daily OHLCV file (``--daily``, the bundled file's columns); None: the bundled one.

    Price is the last close before the day, ADV the mean volume of the last
    :data:`ADV_WINDOW_DAYS` sessions before it, sigma the std of the last
    :data:`VOLATILITY_WINDOW_DAYS` daily log returns before it; the spread and the volume
    profile come from the bundled minute bars of the :data:`INTRADAY_LOOKBACK_DAYS` before the
    day, else are assumed (one cent; a pooled, else flat, profile) and :attr:`MarketHistory.used`
    says so.

    Raises
    ------
    InputError
        ``trading_day`` is malformed, precedes the daily history, or lies more than
        :data:`MAX_HISTORY_GAP_DAYS` after its end; or the ``--daily`` file is bad.
    DataError
        The symbol has no daily bars, or too few before the day.
    """
    history = read_daily_history(daily) if daily is not None else None
    source = str(daily) if daily is not None else f"{bundled_daily_path().name} (bundled)"
    rows = daily_bars(symbol, history)
    held = f"{rows['date'].iloc[0]} to {rows['date'].iloc[-1]}"
    if trading_day is None:
        day = next_weekday(str(rows["date"].iloc[-1]))
    else:
        day = str(trading_day).strip()
        try:
            valid = len(day) == 10 and dt.date.fromisoformat(day).isoformat() == day
        except ValueError:
            valid = False
        if not valid:
            raise InputError("--date", trading_day, "must be a date YYYY-MM-DD")
    before = rows[rows["date"] < day]
    if before.empty:
        raise InputError(
            "--date",
            day,
            f"must come after some daily history of {symbol}; {source} holds {held} "
            "(pass --daily FILE with history before the trading day)",
        )
    last = str(before["date"].iloc[-1])
    gap = (dt.date.fromisoformat(day) - dt.date.fromisoformat(last)).days
    if gap > MAX_HISTORY_GAP_DAYS:
        raise InputError(
            "--date",
            day,
            f"must be within {MAX_HISTORY_GAP_DAYS} days after the daily history of {symbol} "
            f"(it ends {last} in {source}, {gap} days before); inputs that old would mix years "
            "(pass --daily FILE with recent history)",
        )
    used: list[HistoryUsed] = []
    price = float(before["close"].iloc[-1])
    used.append(HistoryUsed("price", last, last, 1, f"close, {source}"))
    window = sessions_before(rows, day, ADV_WINDOW_DAYS)
    if len(window) < ADV_WINDOW_DAYS:
        raise InputError(
            "--date",
            day,
            f"needs {ADV_WINDOW_DAYS} daily bars of {symbol} before it for ADV; {source} has "
            f"{len(window)}",
        )
    adv = float(window["volume"].mean())
    used.append(
        HistoryUsed(
            "adv",
            str(window["date"].iloc[0]),
            str(window["date"].iloc[-1]),
            len(window),
            f"mean daily volume, {source}",
        )
    )
    sigma, sigma_used = volatility_before(rows, day, VOLATILITY_WINDOW_DAYS, source)
    used.append(sigma_used)
    spread_found = spread_before(symbol, day, INTRADAY_LOOKBACK_DAYS)
    lookback = f"in the {INTRADAY_LOOKBACK_DAYS} days before {day}"
    if spread_found is not None:
        spread = spread_found[0].median_spread_bps
        used.append(spread_found[1])
    else:
        spread = 0.01 / price * 1e4
        used.append(
            HistoryUsed(
                "spread",
                None,
                None,
                0,
                f"no 1-minute quote bars of {symbol} {lookback}; assumed one cent",
            )
        )
    profile_found = volume_profile_before(symbol, day, INTRADAY_LOOKBACK_DAYS)
    held_minutes = minute_dates(symbol)
    if profile_found is None:
        profile_found = _pooled_before(day)
        if profile_found is not None:
            profile_found = (
                profile_found[0],
                HistoryUsed(
                    profile_found[1].input,
                    profile_found[1].first_date,
                    profile_found[1].last_date,
                    profile_found[1].days,
                    f"{profile_found[1].source} (no 1-minute bars of {symbol} {lookback})",
                ),
            )
    if profile_found is not None:
        profile, profile_used = profile_found
    else:
        profile = _flat_profile()
        have = f" (its bars hold {held_minutes[0]} to {held_minutes[-1]})" if held_minutes else ""
        others = ", ".join(s for s in POOLED_PROFILE_SYMBOLS if s != symbol)
        profile_used = HistoryUsed(
            "profile",
            None,
            None,
            0,
            f"no 1-minute trade bars of {symbol}{have} or of {others} {lookback}; "
            "assumed flat (even volume through the session)",
        )
    used.append(profile_used)
    return MarketHistory(
        symbol, day, MarketInputs(price, adv, sigma, spread), profile, tuple(used), source
    )


def profiles_before_each_day() -> ProfileSource:
    """Return an engine profile source that, for each parent, uses only the days before its own.

    A parent starting on day D is scheduled with ``symbol``'s volume profile from its bundled
    minute bars in the :data:`INTRADAY_LOOKBACK_DAYS` before D, else the profile pooled over the
    stocks that have them in that window, else none (VWAP then asks for ``params.profile``).
    """
    found: dict[tuple[str, str], VolumeProfile | None] = {}

    def profile_for(symbol: str, day: str) -> VolumeProfile | None:
        key = (symbol, day)
        if key not in found:
            own = volume_profile_before(symbol, day, INTRADAY_LOOKBACK_DAYS)
            pooled = own or _pooled_before(day)
            found[key] = pooled[0] if pooled is not None else None
        return found[key]

    def source(symbol: str, start_ns: int, end_ns: int, slices: int) -> Sequence[float] | None:
        profile = profile_for(symbol, ns_to_exchange(start_ns).date().isoformat())
        return None if profile is None else slice_weights_ns(profile, start_ns, end_ns, slices)

    return source
