"""Lengths, patterns (and the regex generator itself), formats and name-based strings."""

from __future__ import annotations

import base64
import ipaddress
import random
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from pytest_mockamocha.generate import SchemaGenerator
from pytest_mockamocha.generate.regex import compile_pattern, generate

Validity = Callable[..., bool]
Sampler = Callable[..., list[Any]]


@pytest.mark.parametrize(
    ("low", "high"), [(0, 0), (1, 1), (5, 5), (0, 3), (40, 45), (200, None), (None, 2)]
)
def test_lengths(
    gen30: SchemaGenerator,
    oas_valid: Validity,
    sample: Sampler,
    low: int | None,
    high: int | None,
) -> None:
    schema: dict[str, Any] = {"type": "string"}
    if low is not None:
        schema["minLength"] = low
    if high is not None:
        schema["maxLength"] = high
    for value in sample(gen30, schema):
        assert (low or 0) <= len(value) <= (high if high is not None else 10**6)
        assert oas_valid(gen30, schema, value)


PATTERNS = [
    r"^[a-z]+$",
    r"^\d{3}-\d{4}$",
    r"^[A-Z]{2}[0-9]{2,4}$",
    r"^(cat|dog|bird)s?$",
    r"^\w+@\w+\.(com|org)$",
    r"^[^0-9\s]{3,6}$",
    r"^\S+ \S+$",
    r"^(ab)+\1?$",
    r"^(?:[0-9a-f]{2}:){5}[0-9a-f]{2}$",
    r"^a.c$",
    r"^x*y+z?$",
    r"^\s?-?\d+(\.\d{1,2})?$",
    r"v\d+\.\d+",
    r"^[\u4e00-\u9fff]{2}$",
    r"^(?P<word>[a-z]{2})-(?P=word)$",
    r"^[A-Za-z0-9+/]{4}==$",
    r"^\bword\b$",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_pattern(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler, pattern: str
) -> None:
    schema = {"type": "string", "pattern": pattern}
    values = sample(gen30, schema)
    assert all(re.search(pattern, v) for v in values)
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_pattern_with_length_bounds(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    for schema in (
        {"type": "string", "pattern": "^[a-z]+$", "minLength": 20, "maxLength": 22},
        {"type": "string", "pattern": "[0-9]", "minLength": 10},
        {"type": "string", "pattern": "^[a-z]*$", "maxLength": 1},
    ):
        assert all(oas_valid(gen30, schema, v) for v in sample(gen30, schema))


def test_several_patterns_through_allof(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {"allOf": [{"type": "string", "pattern": "^[a-c]{4}$"}, {"pattern": "a"}]}
    assert all(oas_valid(gen30, schema, v) for v in sample(gen30, schema))


def test_regex_generator_is_deterministic_and_falls_back() -> None:
    program = compile_pattern(r"^[a-z]{3}\d+$")
    assert program is not None
    first = [generate(program, random.Random(9)) for _ in range(3)]
    assert first == [generate(program, random.Random(9)) for _ in range(3)]
    assert compile_pattern(r"\p{L}+") is None  # ECMA-only syntax: Python cannot parse it
    assert compile_pattern("(unclosed") is None
    assert generate(compile_pattern("^a{2}$") or program, random.Random(0), min_length=5) is None


def _is_datetime(text: str) -> bool:
    return bool(datetime.fromisoformat(text.replace("Z", "+00:00")))


FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "date": lambda s: bool(date.fromisoformat(s)),
    "date-time": _is_datetime,
    "time": lambda s: bool(datetime.strptime(s, "%H:%M:%S")),
    "email": lambda s: re.fullmatch(r"[a-z.]+@[a-z]+\.[a-z]+", s) is not None,
    "uuid": lambda s: uuid.UUID(s).version == 4,
    "uri": lambda s: urlsplit(s).scheme == "https" and bool(urlsplit(s).netloc),
    "url": lambda s: urlsplit(s).scheme == "https" and bool(urlsplit(s).netloc),
    "uri-reference": lambda s: s.startswith("/") and not urlsplit(s).scheme,
    "hostname": lambda s: re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", s) is not None,
    "ipv4": lambda s: ipaddress.ip_address(s).version == 4,
    "ipv6": lambda s: ipaddress.ip_address(s).version == 6,
    "byte": lambda s: base64.b64encode(base64.b64decode(s, validate=True)).decode() == s,
    "binary": lambda s: isinstance(s, str),
    "int32": lambda s: -(2**31) <= int(s) < 2**31,
    "int64": lambda s: -(2**63) <= int(s) < 2**63,
    "float": lambda s: isinstance(float(s), float),
    "double": lambda s: isinstance(float(s), float),
    "password": lambda s: len(s) >= 8,
}


@pytest.mark.parametrize("fmt", sorted(FORMAT_CHECKS))
def test_formats(
    gen30: SchemaGenerator, gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler, fmt: str
) -> None:
    for gen in (gen30, gen31):
        schema = {"type": "string", "format": fmt}
        values = sample(gen, schema)
        assert all(FORMAT_CHECKS[fmt](v) for v in values), values
        assert all(oas_valid(gen, schema, v) for v in values)
        assert len(set(values)) > 1 or fmt in ("regex",)


def test_unknown_format_still_gives_a_string(gen30: SchemaGenerator, sample: Sampler) -> None:
    assert all(isinstance(v, str) for v in sample(gen30, {"type": "string", "format": "x-odd"}))


def test_plausible_strings_from_property_names(gen30: SchemaGenerator) -> None:
    names = [
        "email",
        "homepage",
        "firstName",
        "last_name",
        "city",
        "country",
        "description",
        "user_id",
        "created_at",
        "phone",
    ]
    schema = {
        "type": "object",
        "required": names,
        "properties": {n: {"type": "string"} for n in names},
    }
    value = gen30.generate(schema, random.Random(3))
    assert "@" in value["email"]
    assert value["homepage"].startswith("https://")
    assert value["firstName"][0].isupper()
    assert " " not in value["firstName"]
    assert _is_datetime(value["created_at"])
    assert len(value["description"].split()) >= 6
    assert re.fullmatch(r"[0-9a-f]{12}", value["user_id"])


def test_name_hints_respect_length(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {
        "type": "object",
        "required": ["description", "name"],
        "properties": {
            "description": {"type": "string", "maxLength": 10},
            "name": {"type": "string", "minLength": 40},
        },
    }
    assert all(oas_valid(gen30, schema, v) for v in sample(gen30, schema))
