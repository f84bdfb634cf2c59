"""JSON text for people and files: exact decimals as strings, enums as their values.

The one place Slipstream turns results into JSON text (``--json`` output, ``summary.json``,
TCA reports); the journal has its own binary-exact codec (:mod:`slipstream.store.codec`).
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import Enum
from typing import Any


def json_default(value: object) -> object:
    """Encode what :mod:`json` does not know: Decimals exactly, enums, numpy arrays."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(payload: Any) -> str:
    """Return ``payload`` as indented JSON (Decimals as exact strings)."""
    return json.dumps(payload, indent=2, default=json_default)
