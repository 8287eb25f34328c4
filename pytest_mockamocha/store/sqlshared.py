"""``Shared`` in SQL tables: what the replicas of a team server on PostgreSQL share
besides records (rule hits, scenario states, revisions, stateful records, the request log).

Each call is one short transaction of its own, never the caller's ``transaction()``: a hit
counted on the request path must not wait for, or roll back with, an API call's writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from pytest_mockamocha.store.sqlschema import request_log, shared_numbers, shared_texts

#: appends to the request log take turns (PostgreSQL), so positions become visible in
#: order and a reader that saw position n never misses a smaller one committed later
_LOG_LOCK = 7214003


class SqlShared:
    """Numbers, texts and the request log of replicas, in three tables."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dialect: Any = postgresql if engine.dialect.name == "postgresql" else sqlite

    def add(self, key: str, by: int = 1) -> int:
        table = shared_numbers
        statement = (
            self._dialect.insert(table)
            .values(key=key, value=by)
            .on_conflict_do_update(index_elements=["key"], set_={"value": table.c.value + by})
            .returning(table.c.value)
        )
        with self._engine.begin() as conn:
            return int(conn.execute(statement).scalar_one())

    def number(self, key: str) -> int:
        with self._engine.connect() as conn:
            found = conn.execute(select(shared_numbers.c.value).where(shared_numbers.c.key == key))
            return int(found.scalar() or 0)

    def set_number(self, key: str, value: int) -> None:
        statement = (
            self._dialect.insert(shared_numbers)
            .values(key=key, value=value)
            .on_conflict_do_update(index_elements=["key"], set_={"value": value})
        )
        with self._engine.begin() as conn:
            conn.execute(statement)

    def text(self, key: str) -> str | None:
        with self._engine.connect() as conn:
            found = conn.execute(select(shared_texts.c.value).where(shared_texts.c.key == key))
            value = found.scalar()
        return None if value is None else str(value)

    def set_text(self, key: str, value: str | None) -> None:
        with self._engine.begin() as conn:
            if value is None:
                conn.execute(delete(shared_texts).where(shared_texts.c.key == key))
                return
            conn.execute(
                self._dialect.insert(shared_texts)
                .values(key=key, value=value)
                .on_conflict_do_update(index_elements=["key"], set_={"value": value})
            )

    def texts(self, prefix: str) -> dict[str, str]:
        wanted = select(shared_texts.c.key, shared_texts.c.value).where(
            shared_texts.c.key.startswith(prefix, autoescape=True)
        )
        with self._engine.connect() as conn:
            return {str(k): str(v) for k, v in conn.execute(wanted)}

    def swap(self, key: str, expected: str | None, value: str | None) -> bool:
        table = shared_texts
        with self._engine.begin() as conn:
            if expected is None:
                if value is None:
                    found = conn.execute(select(table.c.key).where(table.c.key == key))
                    return found.first() is None
                add = self._dialect.insert(table).values(key=key, value=value)
                added = conn.execute(add.on_conflict_do_nothing(index_elements=["key"]))
                return added.rowcount == 1
            fits = (table.c.key == key) & (table.c.value == expected)
            if value is None:
                return conn.execute(delete(table).where(fits)).rowcount == 1
            return conn.execute(update(table).where(fits).values(value=value)).rowcount == 1

    def append_log(self, replica: str, lines: Sequence[str]) -> None:
        if not lines:
            return
        with self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(_LOG_LOCK)))
            rows = [{"replica": replica, "line": line} for line in lines]
            conn.execute(insert(request_log), rows)

    def read_log(self, after: int, limit: int = 10_000) -> list[tuple[int, str, str]]:
        wanted = (
            select(request_log.c.position, request_log.c.replica, request_log.c.line)
            .where(request_log.c.position > after)
            .order_by(request_log.c.position)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [(int(p), str(r), str(line)) for p, r, line in conn.execute(wanted)]
