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
"""

from __future__ import annotations

from dataclasses import dataclass

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
from slipstream.impact import Almgren2005Impact, IStarImpact, SquareRootImpact
from slipstream.marketdata.profiles import VolumeProfile

#: Θ/V (shares outstanding over ADV) assumed for the 2005 model when none is given: a daily
#: turnover of 0.5 %, typical of a large US stock.
DEFAULT_TURNOVER_RATIO = 200.0
VWAP_MIN_DURATION_SECS = 3_600.0
IS_MIN_URGENCY = 0.75


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
