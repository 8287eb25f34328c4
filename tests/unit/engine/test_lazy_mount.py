"""Lazy serving in the engine: a slug not mounted is loaded on first use, at most ``keep``
loaded collections stay, pinned ones never go, and a stale one is loaded again."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mockamocha.engine import Engine
from pytest_mockamocha.errors import CollectionNotFoundError
from pytest_mockamocha.spec.loader import load_spec

SPECS = Path(__file__).resolve().parents[2] / "data" / "specs"


def _engine(keep: int, stored: tuple[str, ...] = ("a", "b", "c")) -> tuple[Engine, list[str]]:
    spec = load_spec(SPECS / "petstore.yaml")
    engine = Engine()
    loads: list[str] = []

    def load(slug: str) -> bool:
        if slug not in stored:
            return False
        loads.append(slug)
        engine.mount(spec, slug, replace=True)
        engine.reloadable(slug)
        return True

    engine.serve_lazily(load, keep)
    return engine, loads


def _mounted(engine: Engine) -> list[str]:
    return sorted(c.slug for c in engine)


def test_each_slug_is_loaded_once_on_first_use_and_unknown_ones_stay_unknown() -> None:
    engine, loads = _engine(keep=8)
    assert _mounted(engine) == []
    assert engine.collection("a").slug == "a"
    assert engine.collection("a").slug == "a"
    assert loads == ["a"]
    with pytest.raises(CollectionNotFoundError):
        engine.collection("nope")


def test_the_least_recently_used_goes_first_and_a_pinned_one_never() -> None:
    engine, loads = _engine(keep=1)  # pinned ones do not count
    engine.collection("a")
    engine.pin("a")  # a rule file's rules live in it
    engine.collection("b")
    engine.collection("c")
    assert _mounted(engine) == ["a", "c"]  # b went: a is pinned
    engine.reloadable("a")  # a later mount of a pinned collection keeps it pinned
    engine.collection("b")
    assert _mounted(engine) == ["a", "b"]
    assert loads == ["a", "b", "c", "b"]


def test_a_stale_collection_is_loaded_again_and_a_deleted_one_is_gone() -> None:
    stored = ["a"]
    spec = load_spec(SPECS / "petstore.yaml")
    engine = Engine()
    revision = {"a": 0}
    seen: dict[str, int] = {}

    def load(slug: str) -> bool:
        if slug not in stored:
            engine.remove(slug)
            return False
        seen[slug] = revision[slug]
        engine.mount(spec, slug, replace=True)
        return True

    engine.serve_lazily(load, 8, stale=lambda slug: seen.get(slug) != revision.get(slug))
    first = engine.collection("a")
    assert engine.collection("a") is first
    revision["a"] = 1  # another replica changed it
    assert engine.collection("a") is not first
    stored.clear()
    revision["a"] = 2  # and then deleted it
    with pytest.raises(CollectionNotFoundError):
        engine.collection("a")
    assert _mounted(engine) == []
