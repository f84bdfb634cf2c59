"""The kernel: the one composition root (see :mod:`slipstream.kernel.core`)."""

from slipstream.kernel.core import GC_GEN0_THRESHOLD, Kernel, KernelSettings, tune_process
from slipstream.kernel.live import LiveKernel, PumpedBroker, RecoveryReport
from slipstream.kernel.sim import SimKernel, VenueSettings

__all__ = [
    "GC_GEN0_THRESHOLD",
    "Kernel",
    "KernelSettings",
    "LiveKernel",
    "PumpedBroker",
    "RecoveryReport",
    "SimKernel",
    "VenueSettings",
    "tune_process",
]
