"""Data sets of records: an operation's response schema, custom fields, a seed, a count.

What the ``mockamocha.generate`` fixture method, the ``mockamocha generate`` command and
the generate-data endpoint share. Records come one after another from ``Random(seed)``,
so the first ``n`` records are the same whatever the count, and the same seed gives the
same data set in a test, on the command line and on any machine.

Custom fields, per field name (a dotted name reaches into nested objects):

- a list: one of its members, drawn for each record (the reference's ``custom_fields``);
- ``range(a, b)``: an integer of the range; a tuple ``(lo, hi)``: a number between them
  (integers when both ends are, else two decimals);
- ``"faker:<provider>"``: the value of that Faker provider (``"faker:company"``);
- anything else: that fixed value.

Every record is validated after the custom fields are applied; one the schema refuses is
drawn again a few times, then ``CustomFieldError`` names the field and the violation.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pytest_mockamocha.errors import CustomFieldError
from pytest_mockamocha.generate.realism import as_draw, faker_provider
from pytest_mockamocha.generate.schema import SchemaGenerator
from pytest_mockamocha.spec.loader import deref
from pytest_mockamocha.spec.model import Operation

FieldMaker = Callable[[random.Random], Any]
#: Draws of one record (custom values included) before a refused custom field is an error.
REDRAWS = 8
FAKER_PREFIX = "faker:"


def response_schema(
    document: Mapping[str, Any], op: Operation, status: int | str | None = None
) -> tuple[Any, bool]:
    """The JSON schema of ``op``'s success (or ``status``) response, and whether it is a list.

    For a list (an array schema) the schema returned is the items' schema.
    """
    key = _status_key(op, status)
    response = deref(document, op.responses.get(key)) if key is not None else None
    content = response.get("content") if isinstance(response, Mapping) else None
    if not isinstance(content, Mapping) or not content:
        raise CustomFieldError(f"{op.name} declares no response body for status {key or status}")
    media = next((m for m in content if _is_json(m)), next(iter(content)))
    node = deref(document, content[media])
    schema = deref(document, node.get("schema")) if isinstance(node, Mapping) else None
    if schema is None:
        raise CustomFieldError(f"{op.name} declares no schema for its {key} {media} response")
    return list_items(document, schema)


def list_items(document: Mapping[str, Any], schema: Any) -> tuple[Any, bool]:
    """``(items schema, True)`` for an array schema, else ``(schema, False)``."""
    found = deref(document, schema)
    if isinstance(found, Mapping):
        kind = found.get("type")
        is_array = kind == "array" or (isinstance(kind, list) and "array" in kind)
        if is_array and isinstance(found.get("items"), (Mapping, bool)):
            return found["items"], True
    return schema, False


def records(
    generator: SchemaGenerator,
    schema: Any,
    count: int,
    seed: int,
    custom_fields: Mapping[str, Any] | None = None,
    *,
    direction: str = "response",
) -> list[Any]:
    """``count`` valid records for ``schema`` (see the module docstring)."""
    return list(iter_records(generator, schema, count, seed, custom_fields, direction=direction))


def iter_records(
    generator: SchemaGenerator,
    schema: Any,
    count: int,
    seed: int,
    custom_fields: Mapping[str, Any] | None = None,
    *,
    direction: str = "response",
) -> Iterator[Any]:
    """The records of ``records`` one at a time (for progress bars and streaming output)."""
    if count < 0:
        raise CustomFieldError(f"count must be 0 or more, not {count}")
    makers = {name: field_maker(name, spec) for name, spec in (custom_fields or {}).items()}
    rng = random.Random(seed)
    for _ in range(count):
        yield _record(generator, schema, rng, makers, direction)


def field_maker(name: str, spec: Any) -> FieldMaker:
    """How custom field ``name`` gets its value, from its specification."""
    if isinstance(spec, str) and spec.startswith(FAKER_PREFIX):
        try:
            make = faker_provider(spec[len(FAKER_PREFIX) :])
        except ValueError as exc:
            raise CustomFieldError(f"custom field {name!r}: {exc}") from None
        return lambda rng: make(as_draw(rng))
    if isinstance(spec, range):
        if not spec:
            raise CustomFieldError(f"custom field {name!r}: {spec!r} is empty")
        return lambda rng: spec[rng.randrange(len(spec))]
    if isinstance(spec, tuple):
        return _between(name, spec)
    if isinstance(spec, list):
        if not spec:
            raise CustomFieldError(f"custom field {name!r}: the list of choices is empty")
        return lambda rng: spec[rng.randrange(len(spec))]
    return lambda rng: spec


def _between(name: str, spec: tuple[Any, ...]) -> FieldMaker:
    """A maker of numbers in ``(lo, hi)``: integers when both ends are, else two decimals."""
    numbers = len(spec) == 2 and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) for x in spec
    )
    if not numbers or spec[0] > spec[1]:
        raise CustomFieldError(f"custom field {name!r}: a tuple must be (low, high), not {spec!r}")
    low, high = spec
    if isinstance(low, int) and isinstance(high, int):
        return lambda rng: rng.randint(low, high)
    return lambda rng: min(max(round(rng.uniform(low, high), 2), low), high)


def _record(
    generator: SchemaGenerator,
    schema: Any,
    rng: random.Random,
    makers: Mapping[str, FieldMaker],
    direction: str,
) -> Any:
    """One valid record with the custom fields applied."""
    value: Any = None
    for _ in range(REDRAWS if makers else 1):
        value = generator.generate(schema, rng, direction=direction)
        if not makers:
            return value
        draw = as_draw(rng)
        for name, make in makers.items():
            _place(value, name, make(draw))
        if generator.is_valid(schema, value, direction=direction):
            return value
    problems = generator.errors(schema, value, direction=direction)
    where, message = problems[0] if problems else ("", "refused by the schema")
    named = next((n for n in makers if where == n or where.startswith(n + ".")), None)
    named = named or next((n for n in makers if repr(n.split(".")[0]) in message), None)
    named = named or ", ".join(makers)
    raise CustomFieldError(
        f"custom field {named!r} makes records the schema refuses: "
        f"{message}{f' (at {where})' if where else ''}"
    )


def _place(value: Any, name: str, field_value: Any) -> None:
    """Set ``name`` (dotted: nested keys) in record ``value``."""
    if not isinstance(value, dict):
        raise CustomFieldError(f"custom field {name!r}: the records are not objects")
    *parents, last = name.split(".")
    node = value
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = field_value


def _status_key(op: Operation, status: int | str | None) -> str | None:
    """The responses key for ``status``, or the first 2xx (then ``default``) when None."""
    codes = [str(c) for c in op.responses]
    if status is not None:
        wanted = str(status)
        for key in (wanted, f"{wanted[:1]}XX", "default"):
            if key in codes:
                return key
        raise CustomFieldError(
            f"{op.name} declares no response {wanted}; it declares: {', '.join(codes) or 'none'}"
        )
    success = sorted(c for c in codes if c.startswith("2") and c.isdigit())
    success += [c for c in codes if c.upper() == "2XX"] + [c for c in codes if c == "default"]
    return success[0] if success else None


def _is_json(media: str) -> bool:
    base = media.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")
