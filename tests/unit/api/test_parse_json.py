"""``parse_json``: orjson reads what it reads exactly as ``json`` would; anything else goes
the ``json`` way, whose 400s name where the mistake is."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.api.inputs import parse_json

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**90), max_value=2**90)  # past 64 bits both ways
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _same(left: Any, right: Any) -> bool:
    """Equal, and of the same types all the way down (1 and 1.0 are not the same here)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(_same, left, right))
    if isinstance(left, float):
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    return bool(left == right)


@settings(max_examples=300, deadline=None)
@given(value=_VALUES, ascii_only=st.booleans())
def test_every_json_value_reads_as_json_reads_it(value: Any, ascii_only: bool) -> None:
    data = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert _same(parse_json(data), json.loads(data))


@pytest.mark.parametrize(
    "text",
    [
        '{"n": 18446744073709551615}',  # the largest 64-bit unsigned: orjson's own
        '{"n": 18446744073709551616}',  # one more: ``json``'s, exact
        '{"n": -9223372036854775809}',
        '{"n": 1e400, "m": -0.0}',
        '{"a": 1, "a": 2}',  # the last one wins, as in ``json``
        '\ufeff{"bom": true}',
        ' \n[1, "\\u00e9", "\\ud83d\\ude00"]',
    ],
)
def test_edges_read_as_json_reads_them(text: str) -> None:
    data = text.encode()
    assert _same(parse_json(data), json.loads(data))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'{"a": 1,}', "line 1, column 9"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": "\\ud800"}', "lone surrogate"),
        (b"\xff{}", "not UTF-8"),
        (b"[" * 201 + b"]" * 201, "nested more than 200 levels"),
    ],
)
def test_what_is_refused_is_refused_as_json_refuses_it(data: bytes, says: str) -> None:
    with pytest.raises(ApiError) as refused:
        parse_json(data)
    assert refused.value.status == 400
    assert says in str(refused.value)
