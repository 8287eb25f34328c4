"""The SQL implementation of the repositories (SQLAlchemy Core): SQLite or PostgreSQL.

The same ``Store`` protocol as the TinyDB store, with the same answers (the store tests
run against every backend), but each call reads or writes only the rows it names, and
writers do not wait on one global lock. Imported only when a SQL URL is opened.

Transactions: outside ``transaction()`` every call is its own transaction. Inside it the
thread keeps one connection; nested ``transaction()`` calls (``ensure_admin`` ->
``create_user``) count their depth and the outermost one commits, or rolls back on an
exception. An explicit transaction serialises with every other one, as the TinyDB lock
did: SQLite begins it ``IMMEDIATE`` (one writer at a time, readers untouched in WAL
mode); PostgreSQL takes a transaction-scoped advisory lock, which also holds between
replicas sharing the database.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from pytest_mockamocha._json import dumps
from pytest_mockamocha.store.base import HEAVY, TABLES, Query, Record, Repository, Shared
from pytest_mockamocha.store.sqlquery import Fields
from pytest_mockamocha.store.sqlschema import (
    BOOLEAN_COLUMNS,
    COLUMNS,
    RECORDS,
    migrate,
    settings,
)
from pytest_mockamocha.store.sqlshared import SqlShared

#: the advisory lock explicit transactions hold on PostgreSQL (any fixed number of ours)
_TRANSACTION_LOCK = 7214002
#: SQLite: how long a writer waits for the write lock before its write fails, seconds
_BUSY_TIMEOUT = 30.0


class SqlRepository:
    """One table of records: ``data`` JSON, indexed copies of some fields, ``seq`` order."""

    def __init__(self, store: SqlStore, name: str) -> None:
        self._store = store
        self._table: Table = RECORDS[name]
        self._columns = COLUMNS.get(name, ())
        self._heavy = HEAVY.get(name, ())
        self._fields = Fields(self._table, store.dialect, self._heavy, store.lowering)
        #: the statements every API call makes, built once: SQLAlchemy then reuses their
        #: compiled form without building and hashing a new statement per call
        self._insert = self._table.insert()
        by_id = self._table.c.id == bindparam("record_id")
        self._get = select(*self._loaded()).where(by_id)
        self._get_light = select(self._table.c.data).where(by_id)  # no heavy field
        #: SQLite: the same statements as SQL text, run on the driver's connection (see
        #: ``SqlStore.driver``): SQLAlchemy's execution costs ten times the statement's
        self._sql = _SqliteStatements(self._table, self._columns, self._heavy)

    def _row(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The row that keeps ``record``: its JSON, its columns, its heavy fields apart."""
        row: dict[str, Any] = {
            "id": record["id"],
            "data": {k: v for k, v in record.items() if k not in self._heavy},
        }
        for field in self._columns:
            value = record.get(field)
            row[field] = value if Fields.fits(field, value) else None
        if self._heavy:
            row["heavy"] = {k: record[k] for k in self._heavy if k in record}
        return row

    def _loaded(self, omit: tuple[str, ...] = ()) -> list[Any]:
        """The columns a read needs: ``heavy`` only when some heavy field is wanted."""
        wanted = [self._table.c.data]
        if any(k not in omit for k in self._heavy):
            wanted.append(self._table.c.heavy)
        return wanted

    @staticmethod
    def _record(row: Any, omit: tuple[str, ...] = ()) -> Record:
        record = dict(row[0])
        if len(row) > 1 and row[1]:
            record.update(row[1])
        for name in omit:
            record.pop(name, None)
        return record

    def insert(self, record: Record) -> Record:
        row = self._row(record)
        if self._store.dialect == "sqlite":
            with self._store.driver(write=True) as db:
                db.execute(self._sql.insert, self._sql.values(row))
            return dict(record)
        with self._store.connection(write=True) as conn:
            conn.execute(self._insert, row)
        return dict(record)

    def insert_many(self, records: Sequence[Record]) -> list[Record]:
        rows = [self._row(record) for record in records]
        if not rows:
            return []
        if self._store.dialect == "sqlite":
            with self._store.driver(write=True) as db:
                db.executemany(self._sql.insert, [self._sql.values(row) for row in rows])
        else:  # one executemany: psycopg pipelines the rows in one round trip
            with self._store.connection(write=True) as conn:
                conn.execute(self._insert, rows)
        return [dict(record) for record in records]

    def get(self, record_id: str, omit: tuple[str, ...] = ()) -> Record | None:
        light = bool(self._heavy) and all(k in omit for k in self._heavy)
        if self._store.dialect == "sqlite":
            with self._store.driver() as db:
                wanted = self._sql.get_light if light else self._sql.get
                found = db.execute(wanted, {"id": record_id}).fetchone()
            return None if found is None else self._record(_loads(found), omit)
        statement = self._get_light if light else self._get
        with self._store.connection() as conn:
            row = conn.execute(statement, {"record_id": record_id}).first()
        return None if row is None else self._record(row, omit)

    def find(self, **equals: Any) -> list[Record]:
        return self.select(Query(equals=equals))

    def select(self, query: Query) -> list[Record]:
        simple = self._sql.select(query) if self._store.dialect == "sqlite" else None
        if simple is not None:
            sql, params = simple
            with self._store.driver() as db:
                rows = db.execute(sql, params).fetchall()
            return [self._record(_loads(row), query.omit) for row in rows]
        statement = select(*self._loaded(query.omit)).where(self._fields.where(query))
        statement = self._fields.ordered(statement, query)
        with self._store.connection() as conn:
            rows = conn.execute(statement).all()
        return [self._record(row, query.omit) for row in rows]

    def total(self, query: Query) -> int:
        simple = self._sql.count(query) if self._store.dialect == "sqlite" else None
        if simple is not None:
            with self._store.driver() as db:
                return int(db.execute(*simple).fetchone()[0])
        statement = select(func.count()).select_from(self._table).where(self._fields.where(query))
        with self._store.connection() as conn:
            return int(conn.execute(statement).scalar_one())

    def count_by(self, field: str, values: Collection[Any]) -> dict[Any, int]:
        counts = dict.fromkeys(values, 0)
        if not counts:
            return counts
        key = self._fields.group_key(field)
        statement = (
            select(key, func.count()).where(self._fields.within(field, list(counts))).group_by(key)
        )
        with self._store.connection() as conn:
            for value, count in conn.execute(statement):
                if value in counts:
                    counts[value] += int(count)
        return counts

    def _replaces_heavy(self, fields: Mapping[str, Any]) -> bool:
        """Whether ``fields`` sets every heavy field: the stored ones (an imported document,
        megabytes for some) need not be read, decoded and compared to be replaced."""
        return bool(self._heavy) and all(k in fields for k in self._heavy)

    def update(self, record_id: str, fields: Mapping[str, Any]) -> Record | None:
        if self._store.dialect == "sqlite":
            return self._update_sqlite(record_id, fields)
        table = self._table
        with self._store.connection(write=True) as conn:
            read = self._loaded(self._heavy if self._replaces_heavy(fields) else ())
            statement = select(*read).where(table.c.id == record_id)
            if self._store.dialect == "postgresql":
                statement = statement.with_for_update()
            row = conn.execute(statement).first()
            if row is None:
                return None
            record = self._record(row) | dict(fields)
            changed = self._row(record)
            conn.execute(table.update().where(table.c.id == record_id).values(**changed))
        return record

    def update_many(self, changes: Mapping[str, Mapping[str, Any]]) -> int:
        # one transaction (the caller's, when it holds one); each row is found by its id
        with self._store.transaction():
            return sum(self.update(rid, fields) is not None for rid, fields in changes.items())

    def _update_sqlite(self, record_id: str, fields: Mapping[str, Any]) -> Record | None:
        replaced = self._replaces_heavy(fields)
        with self._store.driver(write=True) as db:
            wanted = self._sql.get_light if replaced else self._sql.get
            found = db.execute(wanted, {"id": record_id}).fetchone()
            if found is None:
                return None
            before = self._record(_loads(found))
            record = before | dict(fields)
            row, was = self._row(record), self._row(before)
            changed = [c for c in row if c != "id" and (c == "data" or row[c] != was[c])]
            db.execute(self._sql.update(changed), self._sql.values(row))
        return record

    def delete(self, record_id: str) -> bool:
        with self._store.connection(write=True) as conn:
            done = conn.execute(self._table.delete().where(self._table.c.id == record_id))
        return bool(done.rowcount)

    def delete_where(self, **equals: Any) -> int:
        condition = self._fields.where(Query(equals=equals))
        with self._store.connection(write=True) as conn:
            return int(conn.execute(self._table.delete().where(condition)).rowcount)

    def count(self, **equals: Any) -> int:
        return self.total(Query(equals=equals))


class _Held(threading.local):
    """The connection a thread's ``transaction()`` holds, and how deeply it is nested.

    PostgreSQL: ``conn``. SQLite: ``raw``, the pooled driver connection the transaction
    began on, and ``conn`` only once a statement needs SQLAlchemy (made around ``raw``):
    most transactions run every statement on the driver, and a SQLAlchemy connection made
    and closed per write was a tenth of a create's time."""

    conn: Connection | None = None
    raw: Any = None
    depth: int = 0


class SqlStore:
    """All repositories over one SQL database (one connection pool, shared by threads)."""

    users: Repository
    keys: Repository
    collections: Repository
    endpoints: Repository
    rules: Repository
    imports: Repository
    sessions: Repository

    def __init__(
        self,
        engine: Engine,
        path: str | None,
        migrated: tuple[int, int] = (0, 0),
        lowering: str = "default",
    ) -> None:
        self._engine = engine
        self._path = path
        self._held = _Held()
        self.dialect: str = engine.dialect.name
        #: SQLite: this process's writers take turns here (see ``_writing``)
        self._writer = threading.RLock() if self.dialect == "sqlite" else None
        #: SQLite: driver connections kept out of the pool between calls (see ``_checkout``)
        self._idle: list[Any] = []
        self._closed = False
        #: the schema versions before and after this open's migrations
        self.migrated = migrated
        #: PostgreSQL: the collation ``search`` lowers text in (ICU's when the server has it)
        self.lowering = lowering
        for name in TABLES:  # one repository per table, whatever TABLES lists
            setattr(self, name, SqlRepository(self, name))
        #: PostgreSQL: several servers may share this database, so what mock requests
        #: change lives here too; one process owns a SQLite file (it keeps that in memory)
        self.shared: Shared | None = SqlShared(engine) if self.dialect == "postgresql" else None

    @property
    def path(self) -> str | None:
        """The SQLite file; None for PostgreSQL (nothing of ours on this machine's disk)."""
        return self._path

    @contextmanager
    def connection(self, *, write: bool = False) -> Iterator[Connection]:
        """The thread's transaction's connection, or a new transaction for one call."""
        held = self._held
        if held.conn is not None:
            yield held.conn
            return
        if held.raw is not None:  # a SQLite transaction's: SQLAlchemy joins it (see _begin)
            held.conn = Connection(self._engine, connection=held.raw)
            yield held.conn
            return
        writing = self._writing() if write else contextlib.nullcontext()
        with writing, self._engine.connect() as conn:
            conn.execution_options(mm_write=write)
            with conn.begin():
                yield conn

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """SQLite: this process's writers one at a time, before ``BEGIN IMMEDIATE``.

        SQLite lets one writer in and makes the others poll its lock, sleeping 1, 2, 5,
        10... ms between tries: under concurrent writes most of that time is asleep after
        the lock is free. One process serves a SQLite file, so its writers wait on a lock
        of its own, handed over as soon as a write commits (another process still waits
        on SQLite's). Reentrant: a write nested in a write behaves as before; and a writer
        that waited as long as SQLite's busy timeout goes on to SQLite's own wait, so
        nothing waits on this lock for ever where SQLite's would have given up."""
        writer = self._writer
        taken = writer is not None and writer.acquire(timeout=_BUSY_TIMEOUT)
        try:
            yield
        finally:
            if taken:
                assert writer is not None
                writer.release()

    @contextmanager
    def driver(self, *, write: bool = False) -> Iterator[Any]:
        """SQLite: the ``sqlite3`` connection of the thread's transaction, or a pooled one for
        one call: a write in a transaction of its own (``BEGIN IMMEDIATE``, as ``connection``
        begins one), a read as one statement (atomic in itself: SQLite runs it on one
        snapshot). The same pool, connection settings (WAL, synchronous=FULL) and locking
        as ``connection``, without SQLAlchemy's per-statement work."""
        held = self._held
        if held.raw is not None:
            yield held.raw.driver_connection
            return
        if held.conn is not None:
            yield held.conn.connection.driver_connection
            return
        pooled = self._checkout()
        try:
            db: Any = pooled.driver_connection
            if not write:
                yield db
                return
            with self._writing():
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
        finally:
            self._checkin(pooled)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Several calls as one transaction, serialised with every other transaction."""
        held = self._held
        if held.conn is not None or held.raw is not None:
            held.depth += 1
            try:
                yield
            finally:
                held.depth -= 1
            return
        if self.dialect == "sqlite":
            with self._writing(), self._sqlite_transaction():
                yield
            return
        with self._writing(), self._engine.connect() as conn:
            conn.execution_options(mm_write=True)
            with conn.begin():
                conn.execute(select(func.pg_advisory_xact_lock(_TRANSACTION_LOCK)))
                held.conn, held.depth = conn, 1
                try:
                    yield
                finally:
                    held.conn, held.depth = None, 0

    @contextmanager
    def _sqlite_transaction(self) -> Iterator[None]:
        """SQLite: ``BEGIN IMMEDIATE`` and ``COMMIT`` on a pooled driver connection, as
        ``driver`` writes one call, rather than through SQLAlchemy's connection and
        transaction (Python run on every API write). A statement run through SQLAlchemy
        inside gets a connection around the same driver connection and joins this
        transaction (see ``connection`` and ``_begin``)."""
        held = self._held
        pooled = self._checkout()
        wrapper: Connection | None = None
        try:
            db: Any = pooled.driver_connection
            db.execute("BEGIN IMMEDIATE")
            held.raw, held.depth = pooled, 1
            try:
                yield
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            finally:
                wrapper = held.conn
                held.raw, held.conn, held.depth = None, None, 0
            db.execute("COMMIT")
        finally:
            if wrapper is not None:
                wrapper.close()  # after COMMIT: its own rollback finds nothing to undo
            else:
                self._checkin(pooled)

    def _checkout(self) -> Any:
        """SQLite: an idle driver connection of this store's, else one from the pool.

        Checking one out of SQLAlchemy's pool and back in (with its ROLLBACK on return)
        was ~12 us of every call, three times in an import: ``driver`` and
        ``_sqlite_transaction`` end every call with no transaction open (committed, or
        rolled back on error), so the connection is kept ready here instead. ``pop`` and
        ``append`` are atomic: each connection serves one thread at a time, as in the pool."""
        try:
            return self._idle.pop()
        except IndexError:
            return self._engine.raw_connection()

    def _checkin(self, pooled: Any) -> None:
        """Keep ``pooled`` for the next call; past ``_IDLE`` kept, back to the pool (whose
        other users, SQLAlchemy's statements, must find connections left there)."""
        db = pooled.driver_connection
        if len(self._idle) < _IDLE and not self._closed and not db.in_transaction:
            self._idle.append(pooled)
        else:
            pooled.close()

    def setting(self, name: str, make: Callable[[], str]) -> str:
        """The stored setting ``name``; the first caller stores ``make()`` (replicas agree)."""
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        with self.connection(write=True) as conn:
            wanted = select(settings.c.value).where(settings.c.name == name)
            found = conn.execute(wanted).scalar()
            if found is None:
                add = dialect.insert(settings).values(name=name, value=make())
                conn.execute(add.on_conflict_do_nothing(index_elements=["name"]))
                found = conn.execute(wanted).scalar_one()
        return str(found)

    def get_setting(self, name: str) -> str | None:
        """The stored setting ``name``, None when there is none."""
        with self.connection() as conn:
            found = conn.execute(select(settings.c.value).where(settings.c.name == name)).scalar()
        return None if found is None else str(found)

    def put_setting(self, name: str, value: str) -> None:
        """Store ``value`` as the setting ``name``, replacing any."""
        with self.connection(write=True) as conn:
            conn.execute(settings.delete().where(settings.c.name == name))
            conn.execute(settings.insert().values(name=name, value=value))

    def reconnect(self) -> None:
        """Close every connection not in use, kept idle or pooled: the next calls open new
        ones (which a test tracing statements hooks)."""
        idle, self._idle = self._idle, []
        for pooled in idle:
            pooled.close()
        self._engine.dispose()

    def close(self) -> None:
        """Close every pooled connection."""
        self._closed = True
        self.reconnect()


#: SQLite: how many driver connections a store keeps out of the pool while idle (its
#: default size is 5; SQLAlchemy's own statements check theirs out of what is left)
_IDLE = 4

def _loads(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A driver row of JSON texts (``data``, maybe ``heavy``) as values, as SQLAlchemy's
    JSON type reads them (SQL NULL as None)."""
    return tuple(None if value is None else json.loads(value) for value in row)


class _SqliteStatements:
    """One table's hottest statements compiled once to SQLite SQL text (named parameters):
    get, insert and update by id, and selects whose conditions are equalities and prefixes
    on indexed columns, in insertion order (what looks up a user, an API key, a slug or a
    collection's endpoints); ``select`` answers None for any other query."""

    _DIALECT = sqlite.dialect(paramstyle="named")

    def __init__(self, table: Table, columns: tuple[str, ...], heavy: tuple[str, ...]) -> None:
        self._table = table
        self._columns = columns
        self._heavy = heavy
        written = ("data", *columns, *(("heavy",) if heavy else ()))
        self._read = [table.c.data, *([table.c.heavy] if heavy else [])]
        self.insert = self._sql(table.insert().values({c: bindparam(c) for c in ("id", *written)}))
        by_id = table.c.id == bindparam("id")
        self.get = self._sql(select(*self._read).where(by_id))
        #: ``get`` without the heavy fields (for an update that replaces them all)
        self.get_light = self._sql(select(table.c.data).where(by_id))
        self._by_id = by_id
        self._updates: dict[tuple[str, ...], str] = {}
        self._selects: dict[tuple[Any, ...], str] = {}

    def update(self, columns: list[str]) -> str:
        """The update by id of these columns only: SQLite rewrites the index entries of the
        columns an UPDATE sets, so an unchanged column left out is index pages not written
        (and not synced) at commit."""
        key = tuple(columns)
        sql = self._updates.get(key)
        if sql is None:
            statement = self._table.update().where(self._by_id)
            sql = self._updates[key] = self._sql(
                statement.values({c: bindparam(c) for c in columns})
            )
        return sql

    def _sql(self, statement: Any) -> str:
        return str(statement.compile(dialect=self._DIALECT))

    def values(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """``row`` (``SqlRepository._row``) as parameters, its JSON as text."""
        out = dict(row)
        out["data"] = dumps(row["data"])
        if self._heavy:
            out["heavy"] = dumps(row["heavy"])
        return out

    def select(self, query: Query) -> tuple[str, dict[str, Any]] | None:
        """The SQL and parameters of ``query`` when it is a simple one, else None."""
        if query.order:
            return None
        heavy = any(k not in query.omit for k in self._heavy)
        page = bool(query.offset) or query.limit is not None
        found = self._simple(query, ("select", heavy, page))
        if found is not None and page:  # SQLite: LIMIT -1 is no limit
            found[1]["limit"] = -1 if query.limit is None else query.limit
            found[1]["offset"] = query.offset or 0
        return found

    def count(self, query: Query) -> tuple[str, dict[str, Any]] | None:
        """``select``'s count of the records (its order and page do not count)."""
        return self._simple(query, ("count",))

    def _simple(self, query: Query, what: tuple[Any, ...]) -> tuple[str, dict[str, Any]] | None:
        if query.within or query.without or query.contains or query.search:
            return None
        params: dict[str, Any] = {}
        shape: list[tuple[str, str]] = []
        for field, value in query.equals.items():
            if field not in self._columns or not Fields.fits(field, value):
                return None
            shape.append(("=", field))
            params[f"eq_{field}"] = value
        for field, prefix in query.starts.items():
            if field not in self._columns or field in BOOLEAN_COLUMNS:
                return None
            shape.append(("^" if prefix else "*", field))
            if prefix:
                params[f"lo_{field}"], params[f"hi_{field}"] = prefix, prefix + "\U0010ffff"
        key = (*what, *shape)
        sql = self._selects.get(key)
        if sql is None:
            c = self._table.c
            conditions: list[Any] = []
            for kind, field in shape:
                if kind == "=":
                    conditions.append(c[field] == bindparam(f"eq_{field}"))
                elif kind == "^":
                    conditions.append(c[field] >= bindparam(f"lo_{field}"))
                    conditions.append(c[field] < bindparam(f"hi_{field}"))
                else:
                    conditions.append(c[field].is_not(None))
            if what[0] == "count":
                statement = select(func.count()).select_from(self._table).where(true(), *conditions)
            else:
                read = self._read if what[1] else self._read[:1]
                statement = select(*read).where(true(), *conditions).order_by(c.seq)
                if what[2]:
                    statement = statement.limit(bindparam("limit")).offset(bindparam("offset"))
            sql = self._selects[key] = self._sql(statement)
        return sql, params


def _sqlite_engine(path: Path) -> Engine:
    """A pooled engine on the SQLite file (made 0600, as the TinyDB file is): WAL,
    synchronous=FULL (an acknowledged write survives a crash), our own BEGINs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # password hashes and the secret: owner only
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    # A pooled connection serves one thread at a time (checked out, then returned), which
    # is the serialised use under which sqlite3 allows crossing threads.
    engine = create_engine(
        URL.create("sqlite", database=str(path)),
        connect_args={"check_same_thread": False, "timeout": _BUSY_TIMEOUT},
        json_serializer=dumps,
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, record: Any) -> None:
        dbapi.isolation_level = None  # the driver's own implicit BEGIN is off: see _begin
        dbapi.create_function("mm_lower", 1, _lower, deterministic=True)
        cursor = dbapi.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        db: Any = conn.connection.driver_connection
        if db.in_transaction:
            return  # begun by ``transaction()`` on the driver: this statement joins it
        # a writer takes the write lock first, so no read-then-write deadlock is possible
        write = conn.get_execution_options().get("mm_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _lower(value: Any) -> Any:
    """Python's ``str.lower`` for SQLite (whose ``lower()`` knows ASCII only)."""
    return value.lower() if isinstance(value, str) else value


def _postgres_engine(url: str) -> Engine:
    """A pooled engine on PostgreSQL through psycopg 3."""
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True, json_serializer=dumps)


def open_sql_store(url: str, sqlite_path: Path | None = None) -> SqlStore:
    """The store in the SQLite file ``sqlite_path`` or at the PostgreSQL ``url``, its
    schema brought up to date; ``ValueError`` when it cannot be opened or is too new."""
    engine = _sqlite_engine(sqlite_path) if sqlite_path is not None else _postgres_engine(url)
    try:
        with engine.connect() as conn:
            conn.execution_options(mm_write=True)
            with conn.begin():
                migrated = migrate(conn)
                lowering = _lowering(conn)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise ValueError(reason[0] if reason else type(exc).__name__) from None
    except ValueError:
        engine.dispose()
        raise
    return SqlStore(engine, None if sqlite_path is None else str(sqlite_path), migrated, lowering)


def _lowering(conn: Connection) -> str:
    """The collation whose ``lower()`` folds all of Unicode: ICU's root when the PostgreSQL
    server was built with ICU, else the database's default."""
    if conn.dialect.name != "postgresql":
        return "default"
    icu = (
        select(func.count()).select_from(text("pg_collation")).where(text("collname = 'und-x-icu'"))
    )
    return "und-x-icu" if conn.execute(icu).scalar() else "default"
