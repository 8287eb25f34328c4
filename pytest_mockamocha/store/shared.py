"""``Shared`` kept in one process's memory: the reference behaviour of a shared store, and
what tests use to run two engines as if they were replicas of one server."""

from __future__ import annotations

import threading
from collections.abc import Sequence


class MemoryShared:
    """Numbers, texts and a request log in a dict and a list, behind one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._numbers: dict[str, int] = {}
        self._texts: dict[str, str] = {}
        self._log: list[tuple[int, str, str]] = []

    def add(self, key: str, by: int = 1) -> int:
        with self._lock:
            value = self._numbers[key] = self._numbers.get(key, 0) + by
            return value

    def number(self, key: str) -> int:
        with self._lock:
            return self._numbers.get(key, 0)

    def set_number(self, key: str, value: int) -> None:
        with self._lock:
            self._numbers[key] = value

    def text(self, key: str) -> str | None:
        with self._lock:
            return self._texts.get(key)

    def set_text(self, key: str, value: str | None) -> None:
        with self._lock:
            if value is None:
                self._texts.pop(key, None)
            else:
                self._texts[key] = value

    def texts(self, prefix: str) -> dict[str, str]:
        with self._lock:
            return {k: v for k, v in self._texts.items() if k.startswith(prefix)}

    def swap(self, key: str, expected: str | None, value: str | None) -> bool:
        with self._lock:
            if self._texts.get(key) != expected:
                return False
            if value is None:
                self._texts.pop(key, None)
            else:
                self._texts[key] = value
            return True

    def append_log(self, replica: str, lines: Sequence[str]) -> None:
        with self._lock:
            start = len(self._log)
            self._log += [(start + i + 1, replica, line) for i, line in enumerate(lines)]

    def read_log(self, after: int, limit: int = 10_000) -> list[tuple[int, str, str]]:
        with self._lock:
            return self._log[after : after + limit]
