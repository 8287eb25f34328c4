"""Passwords hashed in the background (stores in memory): a sign-in waits for the hash,
and a user that is never stored leaves no password behind."""

from __future__ import annotations

import pytest

from pytest_mockamocha.api.accounts import create_user
from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.api.security import HashingLater, verify_password
from pytest_mockamocha.store import memory_store


def test_a_placeholder_verifies_as_the_password_it_stands_for() -> None:
    store = memory_store()
    user = create_user(
        store, email="a@example.com", name="A", password="a long password", hash_later=True
    )
    assert user["password_hash"].startswith("hashing$")
    assert verify_password("a long password", user["password_hash"])  # waits for the thread
    assert not verify_password("another password", user["password_hash"])
    stored = store.users.get(user["id"])
    assert stored is not None
    assert stored["password_hash"].startswith("scrypt$")


def test_a_user_refused_as_a_duplicate_leaves_no_password_behind() -> None:
    store = memory_store()
    create_user(store, email="a@example.com", name="A", password="a long password")
    before = set(HashingLater._running)
    with pytest.raises(ApiError, match="exists"):
        create_user(
            store, email="A@example.com", name="B", password="secret password", hash_later=True
        )
    assert set(HashingLater._running) == before
