"""Where Slipstream finds its bundled data and writes its output.

``SLIPSTREAM_DATA`` overrides the data folder (default: ``data/`` at the project root);
``SLIPSTREAM_OUT`` the output folder (default: ``out/`` in the working directory).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Return the folder holding the bundled market and reference data."""
    return Path(os.environ.get("SLIPSTREAM_DATA", PROJECT_ROOT / "data"))


def out_dir() -> Path:
    """Return the folder reports and journals are written to (created on demand)."""
    path = Path(os.environ.get("SLIPSTREAM_OUT", "out"))
    path.mkdir(parents=True, exist_ok=True)
    return path
