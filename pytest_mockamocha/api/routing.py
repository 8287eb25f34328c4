"""A route of the management API: a werkzeug rule pointing at a handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pytest_mockamocha.api.envelope import Answer
from pytest_mockamocha.api.state import Call

Handler = Callable[[Call], Answer]


@dataclass(frozen=True, slots=True)
class Route:
    """``path`` in werkzeug syntax (``/api/keys/<key_id>``), its methods and handler."""

    path: str
    methods: tuple[str, ...]
    handler: Handler
    public: bool = False
