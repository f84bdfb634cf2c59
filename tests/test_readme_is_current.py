"""The README's real-output blocks are what the commands print now (``make readme`` fixes them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_output_blocks_are_current() -> None:
    # runs the demo and the parents example (about 10-20 s); a change of their output fails here
    check = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "readme.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
