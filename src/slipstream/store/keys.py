"""The deployment's journal key: what makes the hash chain a keyed MAC.

Batches are chained with BLAKE2b keyed by a secret that belongs to the deployment and never
sits in the journal, so a journal edited and re-chained by someone without the key fails
verification. The key is read from, in order: ``SLIPSTREAM_JOURNAL_KEY`` (hex), the file named
by ``SLIPSTREAM_JOURNAL_KEY_FILE``, or ``~/.slipstream/journal.key`` (created with 32 random
bytes, mode 0600, on first use). An auditor verifying a journal elsewhere is given the key file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from slipstream.core.errors import ConfigError

KEY_BYTES = 32
DEFAULT_KEY_FILE = Path("~/.slipstream/journal.key")


def key_file() -> Path:
    """Return the key file this process uses (the environment's, or the default)."""
    named = os.environ.get("SLIPSTREAM_JOURNAL_KEY_FILE")
    return Path(named).expanduser() if named else DEFAULT_KEY_FILE.expanduser()


def load_key(path: Path) -> bytes:
    """Return the key held in ``path`` (hex text); raise ConfigError naming what is wrong."""
    try:
        text = path.read_text().strip()
    except OSError as exc:
        raise ConfigError(f"journal key file {path}: cannot be read ({exc.strerror})") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ConfigError(f"journal key file {path}: must hold the key as hex text") from None
    if not 16 <= len(key) <= 64:
        raise ConfigError(f"journal key file {path}: key must be 16 to 64 bytes, not {len(key)}")
    return key


def journal_key() -> bytes:
    """Return the deployment's journal key, creating the default key file on first use."""
    inline = os.environ.get("SLIPSTREAM_JOURNAL_KEY")
    if inline:
        try:
            return bytes.fromhex(inline)
        except ValueError:
            raise ConfigError("SLIPSTREAM_JOURNAL_KEY must be the key as hex text") from None
    path = key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    return load_key(path)
