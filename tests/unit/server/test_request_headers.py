"""The mock path's view of request headers answers exactly as werkzeug's own does."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import EnvironHeaders

from pytest_mockamocha.server.app import _Headers

ENVIRON = {
    "REQUEST_METHOD": "POST",
    "CONTENT_TYPE": "application/json",
    "CONTENT_LENGTH": "12",
    "HTTP_ACCEPT": "application/problem+json",
    "HTTP_X_API_KEY": "k-1",
    "HTTP_X_COUNT": "7",
    "HTTP_X_EMPTY": "",
}

NAMES = [
    "Accept", "accept", "ACCEPT", "Content-Type", "content-length", "X-Api-Key",
    "x_api_key", "X-Empty", "Origin", "Prefer", "Transfer-Encoding", "", "Http-Accept",
]


@pytest.mark.parametrize("name", NAMES)
def test_get_and_in_agree_with_werkzeug(name: str) -> None:
    ours, theirs = _Headers(dict(ENVIRON)), EnvironHeaders(dict(ENVIRON))
    assert ours.get(name) == theirs.get(name)
    assert ours.get(name, "fallback") == theirs.get(name, "fallback")
    assert (name in ours) is (name in theirs)


def test_typed_get_and_odd_keys_take_werkzeugs_way() -> None:
    ours = _Headers(dict(ENVIRON))
    assert ours.get("X-Count", type=int) == 7
    assert ours.get("Accept", -1, type=int) == -1  # not a number: the default
    assert ours.get(3) is None  # type: ignore[call-overload]
    assert 3 not in ours


def test_iterating_and_indexing_are_werkzeugs() -> None:
    ours, theirs = _Headers(dict(ENVIRON)), EnvironHeaders(dict(ENVIRON))
    assert list(ours) == list(theirs)
    assert ours["X-Api-Key"] == "k-1"
    with pytest.raises(KeyError):
        ours["Origin"]
