"""Record ids: prefixed, as hard to guess as before, and sorted by when they were made (a
store's index of ids then grows at its right edge)."""

from __future__ import annotations

import os
import re
import threading
import time

import pytest

from pytest_mockamocha._ids import new_id, record_id


def test_a_record_id_is_the_milliseconds_then_48_random_bits() -> None:
    before = time.time_ns() // 1_000_000
    made = record_id("coll")
    after = time.time_ns() // 1_000_000
    found = re.fullmatch(r"coll_([0-9a-f]{12})([0-9a-f]{12})", made)
    assert found is not None, made
    assert before <= int(found[1], 16) <= after
    assert len(made) - len("coll_") == 2 * len(new_id("coll").removeprefix("coll_"))


def test_record_ids_made_later_sort_after() -> None:
    made = []
    for _ in range(5):
        made.append(record_id("ep"))
        time.sleep(0.002)  # the next id is in a later millisecond
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_record_ids_of_one_millisecond_differ_by_their_random_half() -> None:
    made = [record_id("ep") for _ in range(2000)]
    assert len(set(made)) == len(made)
    assert len({m[-12:] for m in made}) == len(made)  # not a counter: nothing to guess from
    assert len({m[3:15] for m in made}) < len(made)  # some did share a millisecond


def test_threads_never_share_a_random_half() -> None:
    made: list[list[str]] = [[] for _ in range(8)]

    def work(k: int) -> None:
        made[k].extend(record_id("ep") for _ in range(1000))  # past several refills each

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    halves = [m[-12:] for ids in made for m in ids]
    assert len(halves) == 8000
    assert len(set(halves)) == len(halves)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_makes_ids_its_parent_does_not() -> None:
    record_id("ep")  # the parent holds random bytes it has not handed out yet
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, to the parent, then out at once
        os.close(read)
        os.write(write, " ".join(record_id("ep")[-12:] for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read().split()
    os.waitpid(pid, 0)
    parent = [record_id("ep")[-12:] for _ in range(5)]
    assert len(child) == 5
    assert not set(child) & set(parent)
