"""JSON as RFC 8259 defines it: Python's ``json.loads`` also reads ``NaN``, ``Infinity``
and ``-Infinity``, which no JSON parser elsewhere accepts, no JSON column stores, and a
client of the real API would be refused for."""

from __future__ import annotations

import json
from typing import Any


class NotJson(ValueError):
    """A body held a token that is JavaScript, not JSON (``NaN``, ``Infinity``)."""


def _refuse(token: str) -> Any:
    raise NotJson(f"{token} is not a JSON number (RFC 8259 has no NaN or Infinity)")


def loads(data: bytes | str) -> Any:
    """``json.loads`` that refuses ``NaN`` and ``Infinity`` with ``NotJson`` (a ValueError)."""
    return json.loads(data, parse_constant=_refuse)
