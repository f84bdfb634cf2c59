"""The simulated venue: matching against replayed real market data, with an impact overlay."""

from slipstream.brokers.sim.impact_overlay import ImpactOverlay, ImpactOverlayConfig
from slipstream.brokers.sim.venue import SimulatedVenue

__all__ = ["ImpactOverlay", "ImpactOverlayConfig", "SimulatedVenue"]
