"""Tables: plain aligned text off a terminal (pipes, files, the README), rich with colour on one."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from slipstream.cli.output import table
from slipstream.core.progress import work

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
HEADERS = ["client_id", "symbol", "status", "qty", "note"]
ROWS: list[list[object]] = [
    ["IBM-01-mkt-buy", "IBM", "filled", 300, None],
    ["IBM-12-mkt-buy-oversize", "IBM", "denied", 60000, "notional"],
    ["BAC-05-lmt-buy-fok", "BAC", "cancelled", 75000, ""],
]
PLAIN = """\
client_id                symbol  status       qty  note
-----------------------  ------  ---------  -----  --------
IBM-01-mkt-buy           IBM     filled       300
IBM-12-mkt-buy-oversize  IBM     denied     60000  notional
BAC-05-lmt-buy-fok       BAC     cancelled  75000"""


def _terminal(width: int = 120) -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=width, color_system="standard")


def test_off_a_terminal_the_table_is_plain_aligned_text() -> None:
    # pytest captures stdout: not a terminal, as in a pipe or a file
    assert table(HEADERS, ROWS) == PLAIN
    assert table(HEADERS, ROWS, console=Console(file=io.StringIO())) == PLAIN


def test_no_color_gives_plain_text_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    text = table(HEADERS, ROWS, console=Console(file=io.StringIO(), force_terminal=True))
    assert text == PLAIN
    assert not ANSI.search(text)


def test_on_a_terminal_a_denied_row_is_red_and_the_columns_are_the_same() -> None:
    text = table(HEADERS, ROWS, console=_terminal())
    lines = text.splitlines()
    denied = next(line for line in lines if "IBM-12" in line)
    assert "\x1b[1;31mdenied" in denied  # the status cell in bold red
    assert "\x1b[31m" in denied  # and the rest of the row red
    filled = next(line for line in lines if "IBM-01" in line)
    assert "\x1b[31m" not in filled
    plain = [ANSI.sub("", line).rstrip() for line in lines]
    assert plain[0].split() == HEADERS
    assert plain[2:] == PLAIN.splitlines()[2:]  # the same cells in the same places


def test_negative_headroom_is_red() -> None:
    text = table(["name", "headroom"], [["IBM", "-1.50"], ["BAC", "2.00"]], console=_terminal())
    lines = text.splitlines()
    assert re.search(r"\x1b\[1;31m *-1\.50", next(line for line in lines if "IBM" in line))
    assert "\x1b[1;31m" not in next(line for line in lines if "BAC" in line)


def test_a_narrow_terminal_wraps_cells_without_losing_any() -> None:
    # one letter per column: counting the letters proves no character was cut or ellipsised
    headers = ["aaaa", "bbb", "cccccc", "dd"]
    rows = [["a" * 30, "b" * 3, "c" * 25, "d" * 12], ["a" * 7, "b" * 20, "c", "d"]]
    text = ANSI.sub("", table(headers, rows, console=_terminal(width=32)))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 32
    assert len(lines) > len(rows) + 2  # wrapped onto more lines
    assert "…" not in text
    for column, letter in enumerate("abcd"):
        cells = [headers[column], *(str(r[column]) for r in rows)]
        assert text.count(letter) == "".join(cells).count(letter)


def test_progress_off_a_terminal_is_occasional_plain_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with work("replaying", total=100_000, line="replaying ...", every=lambda n: f"  {n:,}") as step:
        step(50_000)
        step(100_000)
    err = capsys.readouterr().err
    assert err == "replaying ...\n  50,000\n  100,000\n"
    assert not ANSI.search(err)
