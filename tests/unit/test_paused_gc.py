"""The collector paused while documents load, and restored as it was found."""

from __future__ import annotations

import gc
import importlib
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mockamocha import _gc
from pytest_mockamocha._gc import paused_gc
from pytest_mockamocha.spec.loader import load_spec, load_text

SPECS = Path(__file__).parent.parent / "data" / "specs"


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    """Each test starts with the collector on and nothing frozen, and leaves it so."""
    was = gc.isenabled()
    gc.enable()
    yield
    _gc.unfreeze()
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off() -> None:
    gc.disable()
    with paused_gc():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_nested_pauses_resume_only_at_the_outermost() -> None:
    with paused_gc():
        with paused_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_exception_still_resumes_the_collector() -> None:
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("load failed")
    assert gc.isenabled()


def test_overlapping_pauses_from_two_threads_resume_once_both_end() -> None:
    inside, release = threading.Event(), threading.Event()

    def load() -> None:
        with paused_gc():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=load)
    with paused_gc():
        worker.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other thread's load is still running
    release.set()
    worker.join(10)
    assert gc.isenabled()


def test_what_a_pause_allocated_leaves_the_young_generations() -> None:
    """Else the first collection after the pause walks all of it at once."""
    with paused_gc():
        made = [{"n": i} for i in range(50_000)]
    young = gc.get_objects(generation=0) + gc.get_objects(generation=1)
    assert not any(obj is made for obj in young)
    assert any(obj is made for obj in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0


def _frozen(obj: object) -> bool:
    """Whether ``obj`` (tracked by the collector) is frozen: in no generation. Asked of one
    object, since the frozen count also drops whenever another thread frees a frozen one."""
    return not any(o is obj for g in (0, 1, 2) for o in gc.get_objects(generation=g))


def test_objects_the_process_froze_stay_frozen() -> None:
    marker: list[object] = []
    gc.freeze()
    assert _frozen(marker)
    with paused_gc():
        [{"n": i} for i in range(1000)]
    assert _frozen(marker)
    assert gc.isenabled()


def test_objects_frozen_through_freeze_stay_frozen_without_being_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counting frozen objects walks all of them: after serve froze its start-up that cost
    ~6 ms of every import over the API."""
    marker: list[object] = []
    _gc.freeze()
    counted: list[int] = []
    real = gc.get_freeze_count
    monkeypatch.setattr(gc, "get_freeze_count", lambda: counted.append(1) or real())
    with paused_gc():
        [{"n": i} for i in range(1000)]
    monkeypatch.undo()
    assert counted == []
    assert _frozen(marker)
    assert gc.isenabled()


def test_after_unfreeze_a_pause_moves_what_it_allocated_to_the_oldest_generation() -> None:
    _gc.freeze()
    _gc.unfreeze()
    with paused_gc():
        made = [{"n": i} for i in range(50_000)]
    assert any(obj is made for obj in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0


class _Node:
    def __init__(self) -> None:
        self.me = self


def test_cycles_made_during_a_pause_are_collected_later() -> None:
    with paused_gc():
        cycle = _Node()
        gone = weakref.ref(cycle)
        del cycle
        assert gone() is not None  # not collected while paused
    gc.collect()
    assert gone() is None


def test_loading_a_document_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    load_spec(SPECS / "petstore.yaml", cache_dir=tmp_path)
    load_spec(SPECS / "petstore.yaml", cache_dir=tmp_path)  # from the cache
    assert gc.isenabled()
    gc.disable()
    load_text('{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}')
    assert not gc.isenabled()


def test_serve_freezes_what_start_up_built_and_resumes_the_collector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A long-lived server's documents are never walked again by the collector."""
    from click.testing import CliRunner

    cli_main = importlib.import_module("pytest_mockamocha.cli.main")

    seen: dict[str, object] = {}

    def record(built: object) -> None:  # instead of serving until interrupted
        seen.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count())
        built.close()  # type: ignore[attr-defined]

    monkeypatch.setattr(cli_main, "_serve_until_stopped", record)
    result = CliRunner().invoke(
        cli_main.cli,
        ["serve", "--memory", "--no-cache", "--port", "0", "--spec", str(SPECS / "petstore.yaml")],
    )
    assert result.exit_code == 0, result.output
    assert seen["enabled"] is True
    assert isinstance(seen["frozen"], int)
    assert seen["frozen"] > 10_000


def test_a_refused_serve_leaves_the_collector_on() -> None:
    from click.testing import CliRunner

    cli_main = importlib.import_module("pytest_mockamocha.cli.main")

    result = CliRunner().invoke(cli_main.cli, ["serve", "--memory", "--spec", "=petstore.yaml"])
    assert result.exit_code != 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
