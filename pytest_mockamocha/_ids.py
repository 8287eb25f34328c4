"""Prefixed random identifiers (``rule_…``, ``req_…``) as the management API documents them."""

from __future__ import annotations

import itertools
import secrets
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
    return f"{prefix}_{time.time_ns() // 1_000_000:012x}{secrets.token_hex(6)}"


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
