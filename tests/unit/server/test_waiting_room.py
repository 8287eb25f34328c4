"""The waiting room: seats for answers that wait, in all and per collection."""

from __future__ import annotations

import pytest

from pytest_mockamocha.server.waiting import WaitingRoom


def test_a_collection_holds_at_most_its_share_of_the_seats() -> None:
    room = WaitingRoom(seats=9)
    assert room.per_collection == 3
    seats = [room.enter("a") for _ in range(3)]
    assert all(seats)
    assert room.enter("a") is None
    assert room.enter("b") is not None
    assert (room.waiting("a"), room.waiting()) == (3, 4)


def test_no_seat_is_left_once_all_are_taken() -> None:
    room = WaitingRoom(seats=4, per_collection=4)
    taken = [room.enter(slug) for slug in "abcd"]
    assert room.enter("e") is None
    taken[0].release()  # type: ignore[union-attr]
    assert room.enter("e") is not None


def test_release_is_idempotent() -> None:
    room = WaitingRoom(seats=2)
    seat = room.enter("a")
    assert seat is not None
    seat.release()
    seat.release()
    assert room.waiting() == 0
    assert room.waiting("a") == 0


def test_a_room_needs_a_seat() -> None:
    with pytest.raises(ValueError, match="at least one seat"):
        WaitingRoom(seats=0)
