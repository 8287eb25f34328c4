"""Prefixed random identifiers (``rule_…``, ``req_…``) as the management API documents them."""

from __future__ import annotations

import itertools
import secrets


def new_id(prefix: str, nbytes: int = 6) -> str:
    """A fresh id such as ``rule_3f9a0c1b2d4e``: the prefix names the kind, the rest is random."""
    return f"{prefix}_{secrets.token_hex(nbytes)}"


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
