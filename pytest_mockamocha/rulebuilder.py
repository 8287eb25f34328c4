"""The fluent builder behind ``mockamocha.when(...)``.

Every call checks its arguments at once (``RuleError`` when the rule is made, never when
a request arrives) and re-registers the immutable rule, so a rule is live as soon as it
has a reply.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pytest_mockamocha._ids import new_id
from pytest_mockamocha.engine import Collection, Engine
from pytest_mockamocha.engine.respond import declared_key, success_status
from pytest_mockamocha.engine.rules import _UNSET, Reply, Rule, Step
from pytest_mockamocha.errors import RuleError
from pytest_mockamocha.spec.model import Operation


class RuleBuilder:
    """Shapes the answers of one operation for requests that fit the given matchers."""

    def __init__(
        self,
        engine: Engine,
        collection: Collection,
        operation: Operation,
        matchers: tuple[Any, ...],
        *,
        owner: str | None,
        priority: int = 0,
    ):
        self._engine = engine
        self._collection = collection
        self._op = operation
        self._steps: list[list[Any]] = [[None, None]]  # [Reply | None, times | None]
        self._rule = Rule(
            id=new_id("rule"),
            collection=collection.slug,
            operation=operation.name,
            matchers=matchers,
            priority=priority,
            owner=owner,
        )

    @property
    def id(self) -> str:
        """The rule's id (``rule_...``)."""
        return self._rule.id

    @property
    def hits(self) -> int:
        """How many requests this rule has answered."""
        return self._engine.rules.hits(self.id)

    # -- replies -------------------------------------------------------------------------
    def respond(
        self,
        status: int | None = None,
        *,
        json: Any = _UNSET,
        body: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
    ) -> RuleBuilder:
        """Answer with this status, JSON value or raw body, and headers."""
        if json is not _UNSET and body is not None:
            raise RuleError("give either json= or body=, not both")
        if json is not _UNSET:
            _check_json(json)
        raw = body.encode() if isinstance(body, str) else body
        if json is _UNSET and raw is None:
            self._declared(self._status(status))  # its body comes from the spec
        if isinstance(body, str) and content_type is None:
            content_type = "text/plain; charset=utf-8"
        return self._set(
            Reply(
                kind="static",
                status=self._status(status),
                headers=_headers(headers),
                json=json,
                body=raw,
                content_type=content_type,
            )
        )

    def respond_example(
        self, name: str, *, status: int | None = None, headers: Mapping[str, str] | None = None
    ) -> RuleBuilder:
        """Answer with the spec's example called ``name``."""
        found = self._example_status(name)
        return self._set(
            Reply(
                kind="example",
                status=self._status(status) or found,
                headers=_headers(headers),
                example=name,
            )
        )

    def respond_generated(
        self,
        values: Mapping[str, Any] | None = None,
        /,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> RuleBuilder:
        """Answer with data generated from the schema, with ``overrides`` set on it.

        Properties named like the keyword arguments (``status``, ``headers``) go in the
        ``values`` mapping: ``respond_generated({"status": "sold"})``.
        """
        overrides = {**(values or {}), **overrides}
        _check_json(overrides)
        code = self._status(status)
        key = self._declared(code)
        if overrides:
            problem = self._collection.responder.override_problem(self._op, key, overrides)
            if problem:
                raise RuleError(problem)
        return self._set(
            Reply(
                kind="generated",
                status=self._status(status),
                headers=_headers(headers),
                overrides=overrides,
            )
        )

    def delay(self, seconds: float) -> RuleBuilder:
        """Wait ``seconds`` before answering (the current step)."""
        if not isinstance(seconds, (int, float)) or seconds < 0 or seconds > 600:
            raise RuleError(f"delay must be between 0 and 600 seconds, not {seconds!r}")
        reply = self._current_reply()
        return self._set(replace(reply, delay=float(seconds)))

    # -- sequences -----------------------------------------------------------------------
    def times(self, n: int) -> RuleBuilder:
        """The current step answers ``n`` requests; after the last step the rule retires."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise RuleError(f"times(n) needs a whole number >= 1, not {n!r}")
        self._steps[-1][1] = n
        return self._register()

    def then(self, status: int | None = None, **respond: Any) -> RuleBuilder:
        """Start the next step; with arguments, it answers like ``respond(...)``."""
        if self._steps[-1][0] is None:
            raise RuleError("then() follows a reply: call respond...() first")
        if self._steps[-1][1] is None:
            self._steps[-1][1] = 1
        self._steps.append([None, None])
        if status is not None or respond:
            return self.respond(status, **respond)
        return self

    def remove(self) -> None:
        """Withdraw the rule now rather than at the end of the test."""
        self._engine.rules.remove(self.id)

    # -- internals -----------------------------------------------------------------------
    def _set(self, reply: Reply) -> RuleBuilder:
        self._steps[-1][0] = reply
        return self._register()

    def _register(self) -> RuleBuilder:
        steps = tuple(Step(reply, times) for reply, times in self._steps if reply is not None)
        self._rule = replace(self._rule, steps=steps)
        self._engine.rules.put(self._rule)
        return self

    def _current_reply(self) -> Reply:
        reply = self._steps[-1][0]
        if reply is None:
            raise RuleError("delay() applies to a reply: call respond...() first")
        return reply  # type: ignore[no-any-return]

    def _status(self, status: int | None) -> int | None:
        if status is None:
            return None
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            raise RuleError(f"status must be an HTTP status code (100-599), not {status!r}")
        return status

    def _declared(self, status: int | None) -> str:
        """The responses key answering ``status`` (the success one when None)."""
        key = success_status(self._op) if status is None else declared_key(self._op, status)
        if key is None:
            declared = ", ".join(self._op.responses) or "none"
            raise RuleError(
                f"{self._op.name} declares no {status} response (it declares "
                f"{declared}); give json= or body= to send one anyway"
            )
        return key

    def _example_status(self, name: str) -> int | None:
        responder = self._collection.responder
        names: list[str] = []
        for key, response in self._op.responses.items():
            content = (responder.deref(response) or {}).get("content") or {}
            for media in content:
                found = responder.examples.names(self._op, key, media)
                if name in found:
                    return int(key) if key.isdigit() else None
                names.extend(found)
        listed = ", ".join(sorted(set(names))) or "none"
        raise RuleError(f"{self._op.name} has no example {name!r}; its examples: {listed}")

    def __repr__(self) -> str:
        return f"<RuleBuilder {self.id} {self._op.name} steps={len(self._rule.steps)}>"


def _headers(headers: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    out = []
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not isinstance(value, (str, int, float)):
            raise RuleError(f"header {name!r}: names and values must be strings")
        text = str(value)
        if any(ch in text for ch in "\r\n") or any(ch in name for ch in "\r\n:"):
            raise RuleError(f"header {name!r}: line breaks are not allowed")
        out.append((name, text))
    return tuple(out)


def _check_json(value: Any) -> None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise RuleError(f"json= must be JSON-serialisable: {exc}") from None
