"""Prefixed random identifiers (``rule_…``, ``req_…``) as the management API documents them."""

from __future__ import annotations

import itertools
import os
import secrets
import threading
import time


def new_id(prefix: str, nbytes: int = 6) -> str:
    """A fresh id such as ``rule_3f9a0c1b2d4e``: the prefix names the kind, the rest is random."""
    return f"{prefix}_{secrets.token_hex(nbytes)}"


def record_id(prefix: str) -> str:
    """A fresh id for a stored record, such as ``coll_0193a4f2c1d83f9a0c1b2d4e``: the
    milliseconds since 1970 (12 hex digits), then as many random bits as ``new_id``'s.

    Ids made later sort after (within a millisecond, in any order), so a store's index of
    ids grows at its right edge: an import's endpoints land on one index page, not one
    page each. The random half keeps them as hard to guess as ``new_id``'s."""
    return f"{prefix}_{time.time_ns() // 1_000_000:012x}{_RANDOM.hex6()}"


class _Urandom:
    """The operating system's random bytes (as ``secrets`` reads them), read a few
    hundred ids' worth at a time: an import makes one id per endpoint, and a system call
    each was most of an id's cost. Each piece is handed out once (a lock), and a forked
    child starts with none of its parent's."""

    _SIZE = 6 * 256

    def __init__(self) -> None:
        self._drop()

    def _drop(self) -> None:
        # a new lock too: a thread of the parent's may have held the old one at the fork
        self._lock = threading.Lock()
        self._pool = b""
        self._at = 0

    def hex6(self) -> str:
        """Six random bytes as twelve hex digits."""
        with self._lock:
            at = self._at
            if at + 6 > len(self._pool):
                self._pool, at = os.urandom(self._SIZE), 0
            self._at = at + 6
            return self._pool[at : at + 6].hex()


_RANDOM = _Urandom()
os.register_at_fork(after_in_child=_RANDOM._drop)


class SequentialIds:
    """Ids for high-volume records (``req_…``): a random per-process prefix and a counter.

    Unique within a server's life and across restarts, without a system call per id.
    """

    def __init__(self, prefix: str):
        self._head = f"{prefix}_{secrets.token_hex(4)}"
        self._count = itertools.count(1)

    def next(self) -> str:
        """The next id, such as ``req_3f9a0c1b000001``."""
        return f"{self._head}{next(self._count):06x}"
