"""The login throttle: failures slow the client that makes them, with growing waits."""

from __future__ import annotations

import pytest

from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.api.security import LoginThrottle, SharedLoginThrottle
from pytest_mockamocha.store.shared import MemoryShared


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def retry_after(throttle: LoginThrottle, client: str, email: str) -> int | None:
    try:
        throttle.check(client, email)
    except ApiError as exc:
        status, headers = exc.status, dict(exc.headers)
    else:
        return None
    assert status == 429
    return int(headers["Retry-After"])


def test_waits_double_past_the_free_failures_and_stop_at_a_minute() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock)
    waits = []
    for _ in range(14):
        wait = retry_after(throttle, "a", "admin@x")
        waits.append(wait)
        clock.now += wait or 0  # a patient guesser waits exactly as long as asked
        throttle.failed("a", "admin@x")
    assert waits[:5] == [None] * 5
    assert waits[5:] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_other_clients_and_other_accounts_are_not_slowed() -> None:
    throttle = LoginThrottle(Clock())
    for _ in range(8):
        throttle.failed("attacker", "admin@x")
    assert retry_after(throttle, "attacker", "admin@x") is not None
    assert retry_after(throttle, "owner", "admin@x") is None
    assert retry_after(throttle, "attacker", "someone@x") is None  # 8 < 10 over all accounts


def test_a_success_clears_the_account_count_but_not_the_client_count() -> None:
    throttle = LoginThrottle(Clock())
    for i in range(10):
        throttle.failed("c", f"user{i}@x")
    throttle.succeeded("c", "user0@x")
    assert retry_after(throttle, "c", "user0@x") is not None  # still ten failures from "c"


def test_counts_are_forgotten_and_bounded() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock)
    for _ in range(6):
        throttle.failed("c", "a@x")
    clock.now += LoginThrottle.FORGET + 1
    assert retry_after(throttle, "c", "a@x") is None
    throttle.TRACKED = 50
    for i in range(500):
        throttle.failed(f"client{i}", "a@x")
    assert len(throttle._counts) <= 50


@pytest.mark.parametrize("free", [LoginThrottle.FREE_PER_ACCOUNT, LoginThrottle.FREE_PER_CLIENT])
def test_the_free_failures_answer_without_waiting(free: int) -> None:
    throttle = LoginThrottle(Clock())
    for i in range(free - 1):
        throttle.failed("c", "a@x" if free == LoginThrottle.FREE_PER_ACCOUNT else f"{i}@x")
        assert retry_after(throttle, "c", "a@x" if free == 5 else "new@x") is None


def test_replicas_share_one_throttle_through_their_store() -> None:
    clock, shared = Clock(), MemoryShared()
    a, b = SharedLoginThrottle(shared, clock), SharedLoginThrottle(shared, clock)
    for replica in (a, b, a, b, a):  # five failures spread over two replicas
        replica.failed("guesser", "admin@x")
    assert retry_after(b, "guesser", "admin@x") == 1  # as if one server had seen them all
    assert retry_after(a, "owner", "admin@x") is None
    a.succeeded("guesser", "admin@x")
    assert retry_after(b, "guesser", "admin@x") is None  # 5 over all accounts: < 10 free


def test_a_shared_throttle_sweeps_forgotten_counts_from_the_store() -> None:
    clock, shared = Clock(), MemoryShared()
    throttle = SharedLoginThrottle(shared, clock)
    for i in range(SharedLoginThrottle.SWEEP - 1):
        throttle.failed(f"client{i}", "admin@x")
    assert len(shared.texts("throttle:")) == 2 * (SharedLoginThrottle.SWEEP - 1)
    clock.now += SharedLoginThrottle.FORGET + 1
    throttle.failed("late", "admin@x")  # the SWEEP-th failure sweeps
    assert set(shared.texts("throttle:")) == {
        "throttle:account:late|admin@x",
        "throttle:client:late",
    }
