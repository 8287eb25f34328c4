"""Find an operation by ``"METHOD /path"`` or operationId, suggesting the closest names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pytest_mockamocha.errors import OperationNotFoundError
from pytest_mockamocha.spec.model import Operation


class OperationIndex:
    """Name -> operation lookup for one API."""

    def __init__(self, operations: Iterable[Operation], where: str = ""):
        self._where = where
        self._by_name: dict[str, Operation] = {}
        self._by_id: dict[str, Operation] = {}
        for op in operations:
            self._by_name[op.name] = op
            if op.operation_id:
                self._by_id[op.operation_id] = op

    def get(self, name: str) -> Operation:
        """The operation called ``name``; raises ``OperationNotFoundError`` with suggestions."""
        found = self.find(name)
        if found is None:
            raise OperationNotFoundError(name, self.suggest(name), where=self._where)
        return found

    def find(self, name: str) -> Operation | None:
        """The operation called ``name``, or None."""
        if name in self._by_id:
            return self._by_id[name]
        method, _, path = name.strip().partition(" ")
        return self._by_name.get(f"{method.upper()} {path.strip()}")

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Up to ``n`` known names closest to ``name``."""
        candidates = [*self._by_name, *self._by_id]
        close = difflib.get_close_matches(name, candidates, n=n, cutoff=0.4)
        if close:
            return close
        _method, _, path = name.partition(" ")
        same_path = [k for k in self._by_name if k.partition(" ")[2] == path.strip()]
        return same_path[:n]

    def __len__(self) -> int:
        return len(self._by_name)
