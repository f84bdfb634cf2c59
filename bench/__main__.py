"""Run every benchmark (or those named) and print JSON plus a readable table.

Usage: ``python -m bench [name ...] [--json-only]``; results also go to
``bench/results/latest.json``.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import platform
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def _modules(selected: list[str]) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    return names


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def main(argv: list[str]) -> int:
    json_only = "--json-only" in argv
    selected = [a for a in argv if not a.startswith("--")]
    results: list[dict[str, Any]] = []
    for name in _modules(selected):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"bench.{name}")
        for row in module.run():
            results.append({"bench": name.removeprefix("bench_"), **row})
    payload = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "results": results,
    }
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(payload, indent=2))
    print(json.dumps(payload, indent=2))
    if not json_only:
        print()
        width = max((len(r["name"]) for r in results), default=10)
        print(f"{'bench':<10} {'measure':<{width}} {'value':>14} unit")
        print("-" * (width + 34))
        for r in results:
            print(f"{r['bench']:<10} {r['name']:<{width}} {_fmt(r['value']):>14} {r['unit']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
