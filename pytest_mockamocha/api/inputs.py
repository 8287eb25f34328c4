"""Request input: bodies within limits, JSON with positions, fields checked by name."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from pytest_mockamocha.api.envelope import ApiError

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


def parse_json(data: bytes) -> Any:
    """Decoded JSON, or 400 naming the line and column of the mistake."""
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise ApiError(400, "malformed JSON: the body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            [f"line {exc.lineno}, column {exc.colno}: {exc.msg}"],
        ) from None


def json_body(request: Request, limit: int = MAX_BODY) -> Any:
    """The JSON body; 415 for another content type, 400 for malformed JSON."""
    if not is_json_type(request.mimetype):
        raise ApiError(415, f"send application/json, not {request.mimetype or 'no content type'}")
    data = raw_body(request, limit)
    if not data.strip():
        raise ApiError(400, "the body is empty; a JSON object is expected")
    return parse_json(data)


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
    if raw is None or raw == "":
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

    def slice(self, items: list[Any]) -> list[Any]:
        start = (self.page - 1) * self.per_page
        return items[start : start + self.per_page]

    def listing(self, key: str, items: list[Any]) -> dict[str, Any]:
        """``{key: [...this page...], total, page, per_page}``."""
        return self.result(key, self.slice(items), len(items))

    def result(self, key: str, rows: list[Any], total: int) -> dict[str, Any]:
        """``{key: rows, total, page, per_page}`` for rows already cut to this page."""
        return {key: rows, "total": total, "page": self.page, "per_page": self.per_page}
