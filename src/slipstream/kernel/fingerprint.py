"""The fingerprint of a session's inputs, journalled so a resume proves it is the same session."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from slipstream.core.errors import InputError


def file_digest(paths: Iterable[Path]) -> str:
    """Return a SHA-256 over the names and bytes of ``paths`` (folders: every file in them)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(file.name.encode())
            with file.open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
    return digest.hexdigest()


def check_same_session(stored: Mapping[str, str], current: Mapping[str, str]) -> None:
    """Raise an InputError naming the first input that differs from the journalled session."""
    for key in sorted(set(stored) | set(current)):
        if stored.get(key) != current.get(key):
            raise InputError(
                key,
                current.get(key),
                f"differs from the journalled session ({stored.get(key)!r}); "
                "--resume needs the same command",
            )
