"""JSON as RFC 8259 defines it, read and written in one place.

Python's ``json.loads`` also reads ``NaN``, ``Infinity`` and ``-Infinity``, which no JSON
parser elsewhere accepts, no JSON column stores, and a client of the real API would be
refused for. Writing goes through orjson, ten times faster than ``json``, which writes
what orjson refuses.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


class NotJson(ValueError):
    """A body held a token that is JavaScript, not JSON (``NaN``, ``Infinity``)."""


def _refuse(token: str) -> Any:
    raise NotJson(f"{token} is not a JSON number (RFC 8259 has no NaN or Infinity)")


def loads(data: bytes | str) -> Any:
    """``json.loads`` that refuses ``NaN`` and ``Infinity`` with ``NotJson`` (a ValueError)."""
    return json.loads(data, parse_constant=_refuse)


#: orjson refuses these (as ``json`` does) rather than write them its own way
_ORJSON_REFUSES = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _fast(value: Any) -> bytes | None:
    """``value`` as orjson writes it; None where orjson refuses it (non-string keys,
    integers past 64 bits, lone surrogates, objects that are not JSON types)."""
    try:
        return orjson.dumps(value, option=_ORJSON_REFUSES)
    except TypeError:  # orjson.JSONEncodeError is one
        return None


def dumps(value: Any) -> str:
    """``value`` as compact JSON text, exactly as ``json.dumps`` writes it (ensure_ascii
    off): what a store keeps. Where orjson would differ, ``json`` writes it: what orjson
    refuses, and any text holding a JSON ``null``, which orjson also writes for NaN and
    infinities (``json`` keeps them, as ``NaN``/``Infinity``)."""
    fast = _fast(value)
    if fast is None or (b"null" in fast and _has_null(fast)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return fast.decode()


def dump_answer(value: Any) -> bytes:
    """``value`` as the compact UTF-8 JSON body of an answer: orjson's (a NaN is ``null``,
    which every client reads), ``json``'s for what orjson refuses."""
    fast = _fast(value)
    if fast is None:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return fast


def _has_null(text: bytes) -> bool:
    """Whether compact JSON ``text`` may hold a ``null`` value (each follows ``:``, ``,``
    or ``[``, or is the whole text); a string that merely contains the word may say yes."""
    return text == b"null" or b":null" in text or b",null" in text or b"[null" in text
