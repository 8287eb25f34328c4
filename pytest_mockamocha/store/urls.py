"""Which store a ``--db`` value names: a path or ``tinydb:///path`` (the TinyDB file),
``sqlite:///path`` or ``postgresql://...``.

Paths in URLs follow SQLAlchemy's spelling: ``sqlite:///rel/db.sqlite`` is relative to the
working folder, ``sqlite:////abs/db.sqlite`` absolute. SQLAlchemy is imported only when a
SQL URL is opened, so the TinyDB default costs nothing more at start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pytest_mockamocha.store.base import Store

#: schemes a ``--db`` value may carry, and the backend each means
SCHEMES = {
    "tinydb": "tinydb",
    "sqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "postgresql+psycopg": "postgresql",
}


@dataclass(frozen=True)
class StoreLocation:
    """A parsed ``--db`` value: the backend, its URL, and its file on this machine."""

    backend: str
    url: str
    #: the database file (TinyDB, SQLite); None for a server database
    file: Path | None

    @property
    def shown(self) -> str:
        """The value for messages, any password replaced by ``***``."""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))

    def beside(self, suffix: str) -> Path | None:
        """A file kept next to the database file (``db.json.requests.jsonl``), if it has one."""
        return None if self.file is None else self.file.with_name(self.file.name + suffix)


def parse_location(value: str | Path) -> StoreLocation:
    """The store ``value`` names; ``ValueError`` for a scheme no backend speaks."""
    if isinstance(value, Path) or "://" not in value:
        return StoreLocation("tinydb", str(value), Path(value))
    scheme, rest = value.split("://", 1)
    backend = SCHEMES.get(scheme.lower())
    if backend is None:
        known = ", ".join(f"{s}://" for s in ("tinydb", "sqlite", "postgresql"))
        raise ValueError(f"unknown database scheme {scheme + '://'!r}; use a path or {known}")
    if backend == "postgresql":
        return StoreLocation(backend, value, None)
    if not rest.startswith("/") or rest == "/":
        raise ValueError(
            f"{value!r}: write a file as {scheme}:///relative or {scheme}:////absolute"
        )
    return StoreLocation(backend, value, Path(rest[1:]))


def open_store_url(value: str | Path) -> Store:
    """The store a ``--db`` value names, opened (SQL schemas migrated to this version).

    ``ValueError`` (or ``OSError``) when it cannot be opened."""
    location = parse_location(value)
    if location.backend == "tinydb":
        from pytest_mockamocha.store.tiny import open_store

        assert location.file is not None
        return open_store(location.file)
    from pytest_mockamocha.store.sql import open_sql_store

    return open_sql_store(location.url, location.file)
