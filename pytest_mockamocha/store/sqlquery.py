"""A ``Query`` as SQL: conditions, order and page pushed into the statement.

A field with a column of its own is compared there (indexed); any other field is read
from the JSON ``data`` in SQL (``json_extract`` on SQLite, ``->`` on PostgreSQL), so no
listing ever loads a table to filter it in Python. The semantics are the TinyDB store's:
Python equality, case-sensitive ``contains``, case-insensitive ``search`` on strings
only, None last ascending and first descending, ties in insertion order.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB

from pytest_mockamocha.store.base import Query
from pytest_mockamocha.store.sqlschema import BOOLEAN_COLUMNS, REQUIRED

Condition = ColumnElement[bool]
#: past this many values, ``within`` sends them as one JSON parameter
_MANY = 500


class Fields:
    """SQL expressions for the fields of one table's records on one dialect."""

    def __init__(
        self, table: Table, dialect: str, heavy: tuple[str, ...] = (), lowering: str = "default"
    ) -> None:
        self.table = table
        self.postgres = dialect == "postgresql"
        self._heavy = heavy
        #: PostgreSQL: the collation whose lower() folds every letter, not only ASCII
        self._lowering = lowering

    def _lower(self, value: Any) -> Any:
        if self.postgres:  # the "C" columns' own lower() would fold ASCII only
            return func.lower(value.collate(self._lowering))
        return func.mm_lower(value)  # SQLite's lower() is ASCII only: Python's, registered

    def _doc(self, field: str) -> Any:
        """The JSON column that holds ``field``: ``heavy`` for the heavy fields, else ``data``."""
        return self.table.c.heavy if field in self._heavy else self.table.c.data

    def _column(self, field: str) -> Any:
        return self.table.c[field] if field in self.table.c and field != "data" else None

    @staticmethod
    def fits(field: str, value: Any) -> bool:
        """Whether ``value`` can be kept in (and compared with) the column of ``field``."""
        if field in BOOLEAN_COLUMNS:
            return isinstance(value, bool)
        return isinstance(value, str)

    def _path(self, field: str) -> str:
        return "$." + json.dumps(field)

    def _json(self, field: str) -> Any:
        """The field as stored JSON (PostgreSQL jsonb) or as SQL value (SQLite)."""
        if self.postgres:
            return self._doc(field).op("->", return_type=JSONB())(literal(field, String))
        return func.json_extract(self._doc(field), self._path(field))

    def _is_null(self, field: str) -> Condition:
        """Missing or null, in the JSON."""
        if self.postgres:
            value = self._json(field)
            return or_(value.is_(None), func.jsonb_typeof(value) == "null")
        return self._json(field).is_(None)  # type: ignore[no-any-return]

    def text(self, field: str) -> Any:
        """The field when it is a string, else NULL (what ``contains`` and ``search`` read)."""
        column = self._column(field)
        if column is not None:
            return None if field in BOOLEAN_COLUMNS else column
        if self.postgres:
            extracted = self._doc(field).op("->>", return_type=Text())(literal(field, String))
            return case((func.jsonb_typeof(self._json(field)) == "string", extracted))
        path, data = self._path(field), self._doc(field)
        return case((func.json_type(data, path) == "text", func.json_extract(data, path)))

    def sort_key(self, field: str) -> Any:
        """What ``order`` sorts the field by."""
        column = self._column(field)
        if column is not None:
            return column
        if self.postgres:
            extracted = self._doc(field).op("->>", return_type=Text())(literal(field, String))
            return extracted.collate("C")
        return self._json(field)

    def group_key(self, field: str) -> Any:
        """What ``count_by`` groups by: the column, or the JSON value."""
        column = self._column(field)
        return column if column is not None else self._json(field)

    def equals(self, field: str, value: Any) -> Condition:
        """``record.get(field) == value``."""
        column = self._column(field)
        if value is None:
            json_null = self._is_null(field)
            return json_null if column is None else and_(column.is_(None), json_null)
        if column is not None and self.fits(field, value):
            return column == value  # type: ignore[no-any-return]
        if self.postgres:
            return self._json(field) == cast(literal(json.dumps(value)), JSONB)  # type: ignore[no-any-return]
        path, data = self._path(field), self._doc(field)
        if isinstance(value, bool):
            return func.json_type(data, path) == ("true" if value else "false")
        if isinstance(value, (dict, list)):
            return func.json_extract(data, path) == func.json(json.dumps(value))
        return func.json_extract(data, path) == value  # type: ignore[no-any-return]

    def within(self, field: str, values: Collection[Any]) -> Condition:
        """``record.get(field) in values``."""
        values = list(values)
        if not values:
            return false()
        column = self._column(field)
        if column is not None and all(self.fits(field, v) for v in values):
            if len(values) > _MANY and field not in BOOLEAN_COLUMNS:
                return column.in_(self._one_parameter(values))  # type: ignore[no-any-return]
            return column.in_(values)  # type: ignore[no-any-return]
        return or_(*(self.equals(field, v) for v in values))

    def _one_parameter(self, values: list[str]) -> Any:
        """The strings as rows of one JSON parameter: a workspace's ids may outnumber the
        bound parameters a statement allows (32,766 on SQLite, 65,535 on PostgreSQL)."""
        array = json.dumps(values)
        if self.postgres:
            return select(func.jsonb_array_elements_text(cast(literal(array), JSONB)))
        return select(literal_column("value")).select_from(func.json_each(literal(array)))

    def without(self, field: str, values: Collection[Any]) -> Condition:
        """``record.get(field) not in values`` (a missing field, SQL's NULL, is not in)."""
        held = self.within(field, values)
        return or_(not_(held), held.is_(None))

    def contains(self, field: str, part: str) -> Condition:
        """The field is a string holding ``part`` (case-sensitive)."""
        value = self.text(field)
        if value is None:
            return false()
        finder = func.strpos if self.postgres else func.instr
        return and_(value.is_not(None), finder(value, part) > 0)

    def starts(self, field: str, prefix: str) -> Condition:
        """The field is a string starting with ``prefix`` (case-sensitive): a range of the
        column's index (code point order on both databases), not a scan."""
        value = self.text(field)
        if value is None:
            return false()
        if not prefix:
            return value.is_not(None)  # type: ignore[no-any-return]
        return and_(value >= prefix, value < prefix + "\U0010ffff")

    def search(self, fields: tuple[str, ...], text: str) -> Condition:
        """``text`` is in one of ``fields``, ignoring case."""
        wanted = text.lower()
        found = []
        for field in fields:
            value = self.text(field)
            if value is not None:
                finder = func.strpos if self.postgres else func.instr
                found.append(and_(value.is_not(None), finder(self._lower(value), wanted) > 0))
        return or_(false(), *found)

    def where(self, query: Query) -> Condition:
        """Every condition of ``query``."""
        conditions = [self.equals(k, v) for k, v in query.equals.items()]
        conditions += [self.within(k, v) for k, v in query.within.items()]
        conditions += [self.without(k, v) for k, v in query.without.items()]
        conditions += [self.contains(k, v) for k, v in query.contains.items()]
        conditions += [self.starts(k, v) for k, v in query.starts.items()]
        if query.search:
            conditions.append(self.search(*query.search))
        return and_(true(), *conditions)

    def ordered(self, statement: Select[Any], query: Query) -> Select[Any]:
        """``statement`` in ``query``'s order (None last ascending, first descending; ties
        by insertion, reversed when the first key is descending: an index read backwards
        serves the whole order), cut to its page."""
        keys: list[Any] = []
        always = REQUIRED.get(self.table.name, frozenset())
        for field, descending in query.order:
            key = self.sort_key(field)
            if field in always:  # never null: no "missing last" key, an index serves it
                keys.append(key.desc() if descending else key)
                continue
            missing = case((key.is_(None), 1), else_=0)
            keys += [missing.desc(), key.desc()] if descending else [missing, key]
        backwards = bool(query.order) and query.order[0][1]
        seq = self.table.c.seq
        statement = statement.order_by(*keys, seq.desc() if backwards else seq)
        if query.offset:
            statement = statement.offset(query.offset)
        if query.limit is not None:
            statement = statement.limit(query.limit)
        return statement
