"""Request input: bodies within limits, JSON with positions, fields checked by name."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from pytest_mockamocha import _json as strict_json
from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.errors import SpecError
from pytest_mockamocha.spec.parse import NOT_FAST, fast_json, lone_surrogate, parse_text

MAX_BODY = 1024 * 1024
MAX_IMPORT_BODY = 10 * 1024 * 1024
MAX_PER_PAGE = 100


def too_large(limit: int) -> ApiError:
    return ApiError(413, f"request bodies here are limited to {limit:,} bytes")


def raw_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, or 413 once it is larger than ``limit`` (nothing more is read)."""
    length = request.content_length
    if length is not None and length > limit:
        raise too_large(limit)
    request.max_content_length = limit
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise too_large(limit) from None
    if len(data) > limit:
        raise too_large(limit)
    return data


def is_json_type(mimetype: str) -> bool:
    return mimetype == "application/json" or mimetype.endswith("+json")


#: how deeply a JSON body may nest (the deepest real OpenAPI documents stay near 30)
MAX_DEPTH = 200


def parse_json(data: bytes) -> Any:
    """``read_json``'s value."""
    return read_json(data)[0]


def read_json(data: bytes) -> tuple[Any, bool]:
    """Decoded JSON, or 400 naming the line and column of the mistake; also 400 for what
    would break later (nesting past ``MAX_DEPTH``, integers past Python's digit limit, a
    lone surrogate no UTF-8 store can write), naming where.

    orjson reads what it reads as ``json`` would (``fast_json``; ~4x faster on a 4.5 KB
    document); anything else, a mistake included, is read by ``json``, whose messages name
    the line and column. With the value: whether orjson read it, which makes it JSON's
    types only and shared with nothing (what the spec loader may keep as it is)."""
    value = fast_json(data)
    if value is not NOT_FAST:
        return _checked(data, value), True
    try:
        value = strict_json.loads(data)
    except UnicodeDecodeError:
        raise ApiError(400, "malformed JSON: the body is not UTF-8") from None
    except strict_json.NotJson as exc:
        raise ApiError(400, f"malformed JSON: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            [f"line {exc.lineno}, column {exc.colno}: {exc.msg}"],
        ) from None
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:  # an integer of more digits than int() reads (4,300)
        raise ApiError(400, f"malformed JSON: {_first_sentence(exc)}", _huge_int(data)) from None
    return _checked(data, value), False


def _checked(data: bytes, value: Any) -> Any:
    """``value``, read from ``data``, unless it nests too deeply or holds a lone surrogate."""
    # nothing nests deeper than the brackets it opens: a body of few (a create, a small
    # document) is not walked
    if data.count(b"{") + data.count(b"[") > MAX_DEPTH:
        deep = too_deep(value, MAX_DEPTH)
        if deep is not None:
            raise _too_deep(deep)
    if b"\\u" in data:
        where = lone_surrogate(value)
        if where is not None:
            raise ApiError(
                400,
                "malformed JSON: a string holds a lone surrogate (an escaped \\ud800-\\udfff "
                "that is not half of a pair), which no UTF-8 text can hold",
                [f"at {where}"],
            )
    return value


def _too_deep(where: str | None = None) -> ApiError:
    return ApiError(
        400,
        f"malformed JSON: nested more than {MAX_DEPTH} levels deep",
        [f"at {where}"] if where else [],
    )


def _first_sentence(exc: Exception) -> str:
    return str(exc).split(";")[0]


class _HugeInt(str):
    """An integer's digits too many for ``int()``, kept as text to say where it is."""


def _huge_int(data: bytes) -> list[str]:
    """Where the first over-long integer of ``data`` is (parsed again with the digits kept)."""
    limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or None

    def keep(digits: str) -> Any:
        return _HugeInt(digits) if limit and len(digits.lstrip("-")) > limit else int(digits)

    try:
        value = json.loads(data, parse_int=keep)
    except (ValueError, RecursionError):
        return []
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, _HugeInt):
            return [f"at {where or '/'}"]
        if isinstance(node, dict):
            stack.extend((v, f"{where}/{k}") for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{where}/{i}") for i, v in enumerate(node))
    return []


def too_deep(value: Any, limit: int) -> str | None:
    """The JSON pointer of the first array or object nested past ``limit`` levels, or None."""
    if not _nests(value):
        return None
    # level by level without paths first (what every acceptable body costs); the walk
    # that names where runs only for a body that is too deep
    level, depth = [value], 1
    while level:
        if depth > limit:
            break
        below: list[Any] = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node
            below.extend(c for c in children if isinstance(c, (dict, list)))
        level, depth = below, depth + 1
    else:
        return None
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(value, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if depth > limit:
            return "/" + "/".join(str(p) for p in path)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        stack.extend((child, depth + 1, (*path, key)) for key, child in items if _nests(child))
    return None


def _nests(value: Any) -> bool:
    return isinstance(value, (dict, list))


def json_body(request: Request, limit: int = MAX_BODY) -> Any:
    """The JSON body; 415 for another content type, 400 for malformed JSON."""
    if not is_json_type(request.mimetype):
        raise ApiError(415, f"send application/json, not {request.mimetype or 'no content type'}")
    data = raw_body(request, limit)
    if not data.strip():
        raise ApiError(400, "the body is empty; a JSON object is expected")
    return parse_json(data)


YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml"})


def json_or_yaml_body(request: Request, limit: int = MAX_BODY) -> Any:
    """The body as JSON, or as YAML when sent as ``application/yaml`` (a rule written as in
    a rule file); 400 naming the line for malformed YAML."""
    if request.mimetype not in YAML_TYPES:
        return json_body(request, limit)
    data = raw_body(request, limit)
    if not data.strip():
        raise ApiError(400, "the body is empty; a YAML mapping is expected")
    try:
        return parse_text(data, "the request body")
    except SpecError as exc:
        raise ApiError(400, "the body is not valid YAML", [str(exc)]) from None
    except UnicodeDecodeError:
        raise ApiError(400, "the body is not UTF-8 text") from None


@dataclass(frozen=True, slots=True)
class Field:
    """One allowed field of a JSON object: its type(s) and whether it must be there."""

    types: tuple[type, ...]
    required: bool = False
    nullable: bool = False


_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    dict: "an object",
    list: "an array",
}


def _type_ok(value: Any, spec: Field) -> bool:
    if value is None:
        return spec.nullable
    if isinstance(value, bool):
        return bool in spec.types
    return any(isinstance(value, t) for t in spec.types if t is not bool)


def field_problems(body: Any, fields: Mapping[str, Field], at: str = "") -> list[str]:
    """One message per unknown, missing or wrongly typed field (``at``: a name prefix)."""
    if not isinstance(body, dict):
        return [f"{at or 'the body'} must be a JSON object"]
    problems = [f'Field "{at}{k}" is not allowed' for k in body if k not in fields]
    for name, spec in fields.items():
        if name not in body:
            if spec.required:
                problems.append(f'Field "{at}{name}" is required')
        elif not _type_ok(body[name], spec):
            wanted = " or ".join(_NAMES.get(t, t.__name__) for t in spec.types)
            problems.append(f'Field "{at}{name}" must be {wanted}')
    return problems


def checked(body: Any, fields: Mapping[str, Field]) -> dict[str, Any]:
    """``body`` when it fits ``fields``; else 422 with every problem in ``details``."""
    problems = field_problems(body, fields)
    if problems:
        raise ApiError(422, "the request body is not valid", problems)
    assert isinstance(body, dict)
    return body


def text_field(body: Mapping[str, Any], name: str, *, required: bool = True) -> None:
    """422 when a string field is present but blank."""
    value = body.get(name)
    if isinstance(value, str) and not value.strip() and required:
        raise ApiError(422, "the request body is not valid", [f'Field "{name}" must not be empty'])


def int_arg(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within bounds, else 422 naming it."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ApiError(
            422,
            "invalid query parameter",
            [f'Query parameter "{name}" must be an integer from {low} to {high}'],
        )
    return value


@dataclass(frozen=True, slots=True)
class Page:
    """``page`` (from 1) and ``per_page`` (default 20, max 100)."""

    page: int
    per_page: int

    @classmethod
    def of(cls, request: Request) -> Page:
        return cls(
            int_arg(request, "page", 1, 1, 1_000_000),
            int_arg(request, "per_page", 20, 1, MAX_PER_PAGE),
        )

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (self.page - 1) * self.per_page

    def slice(self, items: list[Any]) -> list[Any]:
        return items[self.offset : self.offset + self.per_page]

    def listing(self, key: str, items: list[Any]) -> dict[str, Any]:
        """``{key: [...this page...], total, page, per_page}``."""
        return self.result(key, self.slice(items), len(items))

    def result(self, key: str, rows: list[Any], total: int) -> dict[str, Any]:
        """``{key: rows, total, page, per_page}`` for rows already cut to this page."""
        return {key: rows, "total": total, "page": self.page, "per_page": self.per_page}
