"""Progress of long work (loading market data, replaying it) on stderr.

``rich`` progress bars when stderr is a terminal; otherwise (a pipe, a file, a CI log) a few
plain lines, so logs stay readable. ``rich`` is imported only when a bar is drawn.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["is_terminal", "work"]


def is_terminal(stream: TextIO) -> bool:
    """Return True if ``stream`` is an interactive terminal."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


@contextmanager
def work(
    description: str,
    total: int | None = None,
    *,
    line: str | None = None,
    every: Callable[[int], str] | None = None,
) -> Iterator[Callable[[int], None]]:
    """Show the progress of one piece of long work on stderr; yield ``advance(done)``.

    On a terminal: a ``rich`` progress bar of ``done`` out of ``total`` (a spinner when the
    total is unknown), left complete when the work ends. Elsewhere (a pipe, a file, a CI log):
    ``line`` once at the start and ``every(done)`` at each call, as plain lines.
    """
    if not is_terminal(sys.stderr):
        if line is not None:
            print(line, file=sys.stderr, flush=True)

        def say(done: int) -> None:
            if every is not None:
                print(every(done), file=sys.stderr, flush=True)

        yield say
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = [SpinnerColumn(finished_text="[green]✓"), TextColumn("{task.description}")]
    if total is not None:
        columns += [
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.completed:,.0f} of {task.total:,.0f} records"),
        ]
    with Progress(*columns, TimeElapsedColumn(), console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=total)

        def advance(done: int) -> None:
            bar.update(task, completed=done)

        yield advance
        bar.update(task, total=total or 1, completed=total or 1)
