"""The JWT signing secret: from ``MOCKAMOCHA_SECRET``, or generated once and kept.

A SQL store keeps a generated secret in its own settings table, created once inside a
transaction, so replicas sharing the database sign and accept the same tokens. A TinyDB
file keeps it in a file beside the database with mode 0600; an in-memory store keeps it
in memory only (tokens then die with the process).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pytest_mockamocha.store.base import Settings, Store

SECRET_ENV = "MOCKAMOCHA_SECRET"  # noqa: S105 -- the name of a variable
SECRET_SETTING = "jwt_secret"  # noqa: S105 -- the name of a settings row


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
    _write_secret_file(path, value.hex())
    return value


def store_secret(store: Store) -> bytes:
    """The signing secret of ``store``: the environment's, else the one it keeps (in the
    database for SQL stores, beside the file for TinyDB), made on first use."""
    explicit = os.environ.get(SECRET_ENV)
    if explicit:
        return explicit.encode()
    if isinstance(store, Settings):
        return bytes.fromhex(store.setting(SECRET_SETTING, lambda: secrets.token_bytes(32).hex()))
    return load_secret(store.path)


def kept_secret(store: Store) -> str | None:
    """The secret ``store`` keeps (hex), if any; never makes one (for copying)."""
    if isinstance(store, Settings):
        return store.get_setting(SECRET_SETTING)
    if store.path is None:
        return None
    try:
        return secret_path(store.path).read_text().strip()
    except FileNotFoundError:
        return None


def keep_secret(store: Store, value: str) -> None:
    """Make ``value`` (hex) the secret ``store`` keeps, replacing any (for copying)."""
    if isinstance(store, Settings):
        store.put_setting(SECRET_SETTING, value)
    elif store.path is not None:
        path = secret_path(store.path)
        path.unlink(missing_ok=True)
        _write_secret_file(path, value)


def _write_secret_file(path: Path, text: str) -> None:
    """A new file only the owner reads (``O_EXCL``: never through someone's symlink)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
