"""The JWT signing secret: from ``MOCKAMOCHA_SECRET``, or generated once and kept.

A generated secret is written beside the database file with mode 0600; an in-memory
store keeps it in memory only (tokens then die with the process).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_ENV = "MOCKAMOCHA_SECRET"  # noqa: S105 -- the name of a variable


def secret_path(db_path: str | Path) -> Path:
    """Where the secret of the database at ``db_path`` is kept."""
    db = Path(db_path)
    return db.with_name(db.name + ".secret")


def load_secret(db_path: str | Path | None) -> bytes:
    """The signing secret (32+ bytes), creating and storing it on first use."""
    explicit = os.environ.get(SECRET_ENV)
    if explicit:
        return explicit.encode()
    if db_path is None:
        return secrets.token_bytes(32)
    path = secret_path(db_path)
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    value = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value.hex())
    return value
