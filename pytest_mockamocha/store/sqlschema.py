"""The SQL schema of the store and its numbered migrations, checked at every open.

Each table of ``TABLES`` holds the record as JSON in ``data`` and copies of the fields the
API filters and sorts by in real, indexed columns; ``seq`` keeps insertion order; the
``HEAVY`` fields sit in ``heavy`` so a listing never reads them. ``schema_version`` holds
one row: the number of the last migration applied. A database at a newer version than
this code knows is refused; an older one is brought up to date in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB

from pytest_mockamocha.store.base import HEAVY, TABLES

#: table -> fields kept in a column of their own (besides ``id``); the rest live in ``data``
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "users": ("workspace_id", "email_key", "is_admin", "created_at"),
    "keys": ("user_id", "hash", "revoked", "created_at"),
    "collections": ("workspace_id", "slug", "name", "created_at"),
    "endpoints": ("workspace_id", "collection_id", "method", "path", "name", "created_at"),
    "rules": ("endpoint_id", "created_at"),
    "imports": ("collection_id", "status", "created_at"),
}
#: table -> the columns some lookup filters by alone, each with an index of its own. The
#: others are sorted by only within a workspace, which ``COMPOSITE``'s indexes serve: an
#: index no statement reads still costs every write its pages (a collection's create
#: appended 7.8 WAL pages when every column had an index, 5.7 without the unread ones)
INDEXED: Mapping[str, tuple[str, ...]] = {
    "users": ("workspace_id", "email_key", "is_admin"),
    "keys": ("user_id", "hash"),
    "collections": ("workspace_id", "slug"),
    "endpoints": ("workspace_id", "collection_id"),
    "rules": ("endpoint_id",),
    "imports": ("collection_id", "status"),
}
#: columns holding booleans; every other column holds text
BOOLEAN_COLUMNS = frozenset({"is_admin", "revoked"})
#: table -> columns every record written by the API fills: their order needs no "missing
#: last" key, so an index serves it (a page of 100,000 endpoints reads 20 rows, no sort)
REQUIRED: Mapping[str, frozenset[str]] = {
    "collections": frozenset({"slug", "created_at"}),
    "endpoints": frozenset({"method", "path", "name", "created_at"}),
}
#: table -> indexes over several columns: (name, columns); what the listings filter by,
#: then what they sort by, then ``seq`` (ties; read backwards for a descending order). Every
#: sort of the endpoint listing reads one: by path, name or creation then method, or by
#: method then path (which also serves a listing filtered by method, sorted by path)
COMPOSITE: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "endpoints": (
        *(
            (f"ix_endpoints_workspace_{key}", ("workspace_id", key, "method", "seq"))
            for key in ("path", "created_at", "name")
        ),
        ("ix_endpoints_workspace_method", ("workspace_id", "method", "path", "seq")),
    ),
}

#: PostgreSQL compares and sorts this text by code point, as Python and SQLite do
_TEXT = Text().with_variant(Text(collation="C"), "postgresql")
_JSON = JSON().with_variant(JSONB(), "postgresql")
_SEQ = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER only

metadata = MetaData()


def _record_table(name: str) -> Table:
    columns: list[Any] = [
        Column("seq", _SEQ, primary_key=True, autoincrement=True),
        Column("id", _TEXT, nullable=False, unique=True),
        Column("data", _JSON, nullable=False),
    ]
    for field in COLUMNS.get(name, ()):
        kind = Boolean() if field in BOOLEAN_COLUMNS else _TEXT
        columns.append(Column(field, kind, index=field in INDEXED.get(name, ())))
    if name in HEAVY:
        columns.append(Column("heavy", _JSON))
    table: Table = Table(name, metadata, *columns, sqlite_autoincrement=True)
    for index, keys in COMPOSITE.get(name, ()):
        Index(index, *(table.c[k] for k in keys))
    return table


RECORDS: Mapping[str, Table] = {name: _record_table(name) for name in TABLES}
settings = Table(
    "settings",
    metadata,
    Column("name", _TEXT, primary_key=True),
    Column("value", Text, nullable=False),
)
schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))
#: what replicas share besides records (``Shared``): numbers, texts, the request log
shared_numbers = Table(
    "shared_numbers",
    metadata,
    Column("key", _TEXT, primary_key=True),
    Column("value", BigInteger, nullable=False),
)
shared_texts = Table(
    "shared_texts",
    metadata,
    Column("key", _TEXT, primary_key=True),
    Column("value", Text, nullable=False),
)
request_log = Table(
    "request_log",
    metadata,
    Column("position", _SEQ, primary_key=True, autoincrement=True),
    Column("replica", Text, nullable=False),
    Column("line", Text, nullable=False),
    sqlite_autoincrement=True,
)


class SchemaVersionError(ValueError):
    """The database was written by a newer MockaMocha than this one."""


def _create_everything(conn: Connection) -> None:
    """Migration 1: every record table, the settings table."""
    metadata.create_all(conn, tables=[*RECORDS.values(), settings])


def _create_shared(conn: Connection) -> None:
    """Migration 2: the tables replicas share besides records."""
    metadata.create_all(conn, tables=[shared_numbers, shared_texts, request_log])


def _endpoints_by_workspace(conn: Connection) -> None:
    """Migration 3: endpoints carry their workspace, indexed with what listings sort by, so
    a page is read from an index instead of sorting every endpoint of the workspace."""
    table = RECORDS["endpoints"]
    have = {c["name"] for c in inspect(conn).get_columns("endpoints")}
    if "workspace_id" not in have:
        conn.execute(text("ALTER TABLE endpoints ADD COLUMN workspace_id TEXT"))
    for index in table.indexes:
        index.create(conn, checkfirst=True)
    owner = (
        select(RECORDS["collections"].c.workspace_id)
        .where(RECORDS["collections"].c.id == table.c.collection_id)
        .scalar_subquery()
    )
    conn.execute(update(table).where(table.c.workspace_id.is_(None)).values(workspace_id=owner))
    if conn.dialect.name == "postgresql":
        merged = text(
            "UPDATE endpoints SET data = jsonb_set(data, '{workspace_id}', to_jsonb(workspace_id))"
            " WHERE workspace_id IS NOT NULL AND NOT data ? 'workspace_id'"
        )
    else:
        merged = text(
            "UPDATE endpoints SET data = json_set(data, '$.workspace_id', workspace_id)"
            " WHERE workspace_id IS NOT NULL AND json_type(data, '$.workspace_id') IS NULL"
        )
    conn.execute(merged)


def _create_sessions(conn: Connection) -> None:
    """Migration 4: the dashboard sessions signed out (so a sign-out holds across restarts
    and on every replica)."""
    RECORDS["sessions"].create(conn, checkfirst=True)


def _indexes_listings_read(conn: Connection) -> None:
    """Migration 5: drop the one-column indexes no statement reads (every column had one)
    and create the composite ones every endpoint sort reads."""
    for name, table in RECORDS.items():
        kept = {index.name for index in table.indexes}
        for column in COLUMNS.get(name, ()):
            if f"ix_{name}_{column}" not in kept:
                conn.execute(text(f"DROP INDEX IF EXISTS ix_{name}_{column}"))
        for index in table.indexes:
            index.create(conn, checkfirst=True)


#: migration n is ``MIGRATIONS[n - 1]``; append, never edit one that has shipped (a table
#: added to ``TABLES`` after a release needs a migration that creates it)
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (
    _create_everything,
    _create_shared,
    _endpoints_by_workspace,
    _create_sessions,
    _indexes_listings_read,
)
LATEST = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    """The version the database is at (0 when it has no schema yet)."""
    schema_version.create(conn, checkfirst=True)
    return int(conn.execute(select(func.max(schema_version.c.version))).scalar() or 0)


def migrate(conn: Connection) -> tuple[int, int]:
    """Apply the pending migrations inside the caller's transaction; (before, after).

    On PostgreSQL a transaction-scoped advisory lock makes replicas starting together
    take turns, so the second finds the work done."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7214001)"))
    before = current_version(conn)
    if before > LATEST:
        raise SchemaVersionError(
            f"the database is at schema version {before}, newer than this MockaMocha "
            f"knows ({LATEST}); upgrade MockaMocha"
        )
    for number in range(before + 1, LATEST + 1):
        MIGRATIONS[number - 1](conn)
    if before < LATEST:  # one row, whatever an interrupted tool may have left
        conn.execute(schema_version.delete())
        conn.execute(schema_version.insert().values(version=LATEST))
    return before, LATEST
