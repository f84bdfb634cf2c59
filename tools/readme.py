"""Regenerate the README's real-output blocks from actual runs, so they are always true.

Each block in README.md between ``<!-- generated: NAME -->`` and ``<!-- end generated -->`` is
the output of a real command (below, :data:`BLOCKS`), run with stdout a pipe (plain tables, no
colour). The runs are deterministic (simulated clock, ids from the clock), so the same code and
data give the same README.

``python tools/readme.py`` rewrites the blocks in place (``make readme``);
``python tools/readme.py --check`` changes nothing, prints a diff and exits 1 when any block is
not what the commands print now (``tests/test_readme_is_current.py`` runs it).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(
    r"(?P<open><!-- generated: (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(?P<close><!-- end generated -->)",
    re.DOTALL,
)

#: The demo's order rows the README shows (one of each kind, the risk denials), in output order.
DEMO_ORDERS = (
    "IBM-01-mkt-buy",
    "IBM-12-mkt-buy-oversize",
    "BAC-12-mkt-buy-oversize",
    "IBM-02-lmt-buy-passive",
    "AIG-04-lmt-buy-ioc",
    "IBM-05-lmt-buy-fok-large",
    "IBM-06-stop-sell",
    "IBM-07-stop-limit-buy",
    "IBM-08-trail-sell-amount",
    "IBM-09-trail-buy-bps-bidask",
    "IBM-10-lmt-sell-gtc-far",
)
#: The TCA measures the README shows (the shortfall, its parts, the benchmarks, one markout).
DEMO_TCA = (
    "implementation shortfall bps",
    "  delay bps",
    "  impact bps",
    "  timing bps",
    "  opportunity bps",
    "  fees bps",
    "vs arrival bps",
    "vs interval vwap bps",
    "markout 300s bps",
)
PARENTS_ARGS = (
    "simulate",
    "examples/parents/orders.csv",
    "--market",
    "data/ticks",
    "--date",
    "2013-10-08",
    "--start",
    "09:59",
    "--end",
    "10:50",
)


@dataclass(frozen=True)
class Block:
    """One generated block: the command it runs and how its output becomes the block."""

    args: tuple[str, ...]
    render: Callable[[str], str]


def _paragraphs(text: str) -> list[list[str]]:
    """Split output into paragraphs (runs of lines between blank lines)."""
    paragraphs: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _render_demo(out: str) -> str:
    """Abridge the demo's output: chosen orders, all parents and positions, chosen TCA
    measures, the overlay table; not the list of files written."""
    kept: list[list[str]] = []
    for para in _paragraphs(out):
        title = para[0]
        if title == "Orders":
            rows = [line for line in para[3:] if line.split()[0] in DEMO_ORDERS]
            kept.append([*para[:3], *rows, "..."])
        elif title.startswith("Transaction cost analysis"):
            rows = [line for line in para[3:] if line.rsplit(None, 1)[0].rstrip() in DEMO_TCA]
            kept.append([title, *rows, "..."])
        elif title.startswith(("Parent orders", "Positions", "cash ", "Impact overlay")):
            kept.append(para)
    return _fence("\n\n".join("\n".join(p) for p in kept))


def _render_parents(out: str) -> str:
    """The command, then its whole output."""
    command = " ".join(("slipstream", *PARENTS_ARGS))
    return f"```sh\n{command}\n```\n\n" + _fence(out.rstrip("\n"))


def _fence(text: str) -> str:
    return f"```\n{text}\n```\n"


BLOCKS: dict[str, Block] = {
    "demo": Block(("demo", "--out", "{tmp}/demo"), _render_demo),
    "parents": Block(PARENTS_ARGS, _render_parents),
}


def generate(names: set[str]) -> dict[str, str]:
    """Run the commands of the blocks ``names`` (side by side) and return each block's text."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    env["NO_COLOR"] = "1"
    with tempfile.TemporaryDirectory(prefix="slipstream-readme-") as tmp:
        running = {
            name: subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "slipstream.cli.main",
                    *(a.format(tmp=tmp) for a in BLOCKS[name].args),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in sorted(names)
        }
        outputs = {}
        for name, proc in running.items():
            out, err = proc.communicate()
            if proc.returncode != 0:
                raise SystemExit(
                    f"readme: block {name!r}: command failed ({proc.returncode})\n{err}"
                )
            outputs[name] = BLOCKS[name].render(out)
    return outputs


def regenerate(text: str) -> str:
    """Return README ``text`` with every generated block replaced by what its command prints."""
    found = [m.group("name") for m in BLOCK.finditer(text)]
    unknown = sorted(set(found) - set(BLOCKS))
    missing = sorted(set(BLOCKS) - set(found))
    if unknown or missing:
        raise SystemExit(f"readme: unknown blocks {unknown}, blocks not in README.md {missing}")
    outputs = generate(set(found))
    return BLOCK.sub(lambda m: m.group("open") + outputs[m.group("name")] + m.group("close"), text)


def main(argv: list[str] | None = None) -> int:
    """Rewrite README.md's generated blocks, or with ``--check`` report whether they are current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; print a diff and exit 1 if stale"
    )
    args = parser.parse_args(argv)
    old = README.read_text(encoding="utf-8")
    new = regenerate(old)
    if args.check:
        if new == old:
            print("README.md: generated blocks are current")
            return 0
        sys.stdout.writelines(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                "README.md",
                "README.md (regenerated)",
            )
        )
        print("\nREADME.md is out of date: run `make readme` (python tools/readme.py)")
        return 1
    if new != old:
        README.write_text(new, encoding="utf-8")
        print("README.md: generated blocks rewritten")
    else:
        print("README.md: generated blocks already current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
