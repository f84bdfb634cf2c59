"""The impact overlay: our own executions move the prices the simulated venue matches us at.

Replayed market data does not react to our orders, so without an overlay a simulation shows
spread and depth cost but no impact. The square-root law (:class:`slipstream.impact.
SquareRootImpact`, the model the algorithms forecast with) prices a *metaorder*: ``X`` shares
move the price by ``Y · σ_daily · (X / ADV)^δ · price``. Applying it to every fill separately
would make impact grow with the number of slices (``Σ sqrt(q_i) ≫ sqrt(Σ q_i)``) and punish the
very slicing algorithms exist for, so the overlay applies it to our *net volume* per symbol,
kept twice:

* the **permanent** volume ``Q`` — every signed fill, never decaying;
* the **temporary** volume ``q(t)`` — every signed fill, decaying exponentially with a half-life.

The offset is ``f·g(Q) + (1 − f)·g(q(t))`` with ``g(v) = sign(v) · Y · σ · (|v| / ADV)^δ ·
price`` and ``f = permanent_fraction``. One fill of ``X`` shares and ``N`` fills adding up to
``X`` at the same moment move the price the same; trading back the other way reduces it. A buy
pushes prices up, a sell down. The venue adds the offset, rounded to the tick, to every market
price it reads for matching (quotes, book levels, trades, bars), and the node publishes that
shifted view to the algorithms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from slipstream.core.errors import ConfigError
from slipstream.impact.square_root import SquareRootImpact
from slipstream.model.enums import Side

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ImpactOverlayConfig:
    """Parameters of the impact overlay (off by default, so tests see the recorded market).

    Parameters
    ----------
    enabled:
        Switch the overlay on.
    y:
        Prefactor ``Y`` of the square-root law (dimensionless, order 1).
    exponent:
        Power of the participation ``q/ADV`` (0.5: square root).
    permanent_fraction:
        Share of each fill's move that never decays, in [0, 1].
    half_life_secs:
        Half-life of the temporary part, in seconds (> 0).
    default_sigma_daily:
        Daily volatility (fraction) for symbols not in ``sigma_daily``.
    default_adv_shares:
        Average daily volume (shares) for symbols not in ``adv_shares``.
    sigma_daily, adv_shares:
        Per-symbol overrides.
    """

    enabled: bool = False
    y: float = 1.0
    exponent: float = 0.5
    permanent_fraction: float = 0.5
    half_life_secs: float = 300.0
    default_sigma_daily: float = 0.02
    default_adv_shares: float = 5_000_000.0
    sigma_daily: dict[str, float] = field(default_factory=dict)
    adv_shares: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks = {
            "y": self.y > 0,
            "exponent": self.exponent > 0,
            "permanent_fraction": 0.0 <= self.permanent_fraction <= 1.0,
            "half_life_secs": self.half_life_secs > 0,
            "default_sigma_daily": self.default_sigma_daily > 0,
            "default_adv_shares": self.default_adv_shares > 0,
        }
        checks.update({f"sigma_daily[{k}]": v > 0 for k, v in self.sigma_daily.items()})
        checks.update({f"adv_shares[{k}]": v > 0 for k, v in self.adv_shares.items()})
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ConfigError(f"ImpactOverlayConfig: invalid {', '.join(bad)} (see its docstring)")


class _SymbolImpact:
    __slots__ = ("permanent_qty", "price", "temporary_qty", "temporary_ts_ns")

    def __init__(self) -> None:
        self.permanent_qty = 0.0
        self.temporary_qty = 0.0
        self.temporary_ts_ns = 0
        self.price = 0.0


class ImpactOverlay:
    """Per-symbol offsets in dollars; :meth:`offset` gives the tick-rounded shift to apply."""

    def __init__(self, config: ImpactOverlayConfig) -> None:
        self.config = config
        self._model = SquareRootImpact(config.y, config.exponent)
        self._decay_per_ns = math.log(2.0) / (config.half_life_secs * 1e9)
        self._state: dict[str, _SymbolImpact] = {}

    def _move(self, symbol: str, signed_qty: float, price: float) -> float:
        """Return the signed square-root move in dollars of a net volume ``signed_qty``."""
        if signed_qty == 0.0:
            return 0.0
        cfg = self.config
        adv = cfg.adv_shares.get(symbol, cfg.default_adv_shares)
        sigma = cfg.sigma_daily.get(symbol, cfg.default_sigma_daily)
        move = self._model.move_fraction(abs(signed_qty) / adv, sigma) * price
        return math.copysign(move, signed_qty)

    def _temporary_now(self, state: _SymbolImpact, now_ns: int) -> float:
        elapsed = max(0, now_ns - state.temporary_ts_ns)
        return state.temporary_qty * math.exp(-self._decay_per_ns * elapsed)

    def offset_dollars(self, symbol: str, now_ns: int) -> float:
        """Return the current (unrounded) offset of ``symbol`` in dollars."""
        state = self._state.get(symbol)
        if state is None:
            return 0.0
        f = self.config.permanent_fraction
        permanent = self._move(symbol, state.permanent_qty, state.price)
        temporary = self._move(symbol, self._temporary_now(state, now_ns), state.price)
        return f * permanent + (1.0 - f) * temporary

    def offset(self, symbol: str, now_ns: int, tick: Decimal) -> Decimal:
        """Return the offset rounded to the nearest tick (exact), ZERO when off or negligible."""
        if not self.config.enabled:
            return ZERO
        ticks = round(self.offset_dollars(symbol, now_ns) / float(tick))
        return tick * ticks if ticks else ZERO

    def on_fill(self, symbol: str, side: Side, quantity: int, price: Decimal, now_ns: int) -> None:
        """Add one fill to the net volumes (the temporary one decayed to ``now_ns`` first)."""
        if not self.config.enabled:
            return
        state = self._state.get(symbol)
        if state is None:
            state = self._state[symbol] = _SymbolImpact()
        # The move scales with the market's own price: the fill price less our current offset.
        unimpacted = float(price) - self.offset_dollars(symbol, now_ns)
        signed = float(side.sign * quantity)
        state.temporary_qty = self._temporary_now(state, now_ns) + signed
        state.temporary_ts_ns = now_ns
        state.permanent_qty += signed
        state.price = unimpacted
