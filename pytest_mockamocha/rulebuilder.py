"""The fluent builder behind ``mockamocha.when(...)``.

Every call checks its arguments at once (``RuleError`` when the rule is made, never when
a request arrives) and re-registers the immutable rule, so a rule is live as soon as it
has a reply.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from pytest_mockamocha._ids import new_id
from pytest_mockamocha.engine import Collection, Engine
from pytest_mockamocha.engine.respond.reply import FAULTS, UNSET, Reply, contract_problems
from pytest_mockamocha.engine.respond.responder import PROBLEM_JSON
from pytest_mockamocha.engine.rules.book import STARTED, Rule, Step
from pytest_mockamocha.errors import MockamochaWarning, RuleError
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
        scenario: str | None = None,
        state: str | None = None,
        strict: bool = True,
    ):
        self._engine = engine
        self._strict = strict
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
            scenario=scenario,
            state=None if scenario is None else (state or STARTED),
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
        json: Any = UNSET,
        body: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        check: bool = True,
    ) -> RuleBuilder:
        """Answer with this status, JSON value or raw body, and headers.

        The reply is checked against the operation's declared responses (status, body
        schema): in strict mode a mismatch is a ``RuleError``, otherwise a
        ``MockamochaWarning``; ``check=False`` sends an off-contract answer on purpose."""
        if json is not UNSET and body is not None:
            raise RuleError("give either json= or body=, not both")
        if json is not UNSET:
            _check_json(json)
        raw = body.encode() if isinstance(body, str) else body
        if json is UNSET and raw is None:
            self._declared(self._status(status))  # its body comes from the spec
        if isinstance(body, str) and content_type is None:
            content_type = "text/plain; charset=utf-8"
        reply = Reply(
            kind="static",
            status=self._status(status),
            headers=_headers(headers),
            json=json,
            body=raw,
            content_type=content_type,
        )
        if check:
            self._check(reply)
        return self._set(reply)

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

    def respond_template(
        self,
        template: str | None = None,
        *,
        json: Any = UNSET,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
    ) -> RuleBuilder:
        """Answer with a template rendered per request in jinja2's sandbox.

        ``template`` is text (``content_type`` says what it is; JSON output is checked);
        ``json=`` is a JSON value whose strings are templates, and a string that is one
        ``{{ expression }}`` keeps the expression's type: ``{"id": "{{ request.path.petId
        | int }}"}``. Templates see ``request`` (``method``, ``path`` parameters,
        ``url_path``, ``query``, ``query_all``, ``headers``, ``cookies``, ``json``,
        ``body``), ``generated`` (the data the mock would have answered, built only if
        read) and seeded helpers: ``uuid()``, ``now()``, ``random_int(a, b)``,
        ``fake('name')``. See docs/rules.md."""
        from pytest_mockamocha.engine.respond import templates

        if (template is None) == (json is UNSET):
            raise RuleError("give a text template or json=, one of them")
        source = template if template is not None else json
        problems = templates.problems(source, ("template",))
        if problems:
            raise RuleError("; ".join(str(p) for p in problems))
        return self._set(
            Reply(
                kind="template",
                status=self._status(status),
                headers=_headers(headers),
                template=source,
                content_type=content_type,
            )
        )

    def delay(self, seconds: float, maximum: float | None = None) -> RuleBuilder:
        """Wait ``seconds`` before answering the current step; with ``maximum``, a random
        wait in [seconds, maximum], the same for the same seed and request."""
        low, high = delay_range(seconds, maximum)
        reply = self._current_reply("delay")
        return self._set(replace(reply, delay=low, delay_max=high))

    def fault(self, kind: str, *, seconds: float | None = None) -> RuleBuilder:
        """Misbehave on the socket instead of answering: ``connection_reset``, ``close``,
        ``empty_response``, ``malformed_body``, ``truncated_body``, ``slow_body`` (the body
        dripped over ``seconds``) or ``hang`` (until the client gives up, or ``seconds``)."""
        if kind not in FAULTS:
            raise RuleError(f"unknown fault {kind!r}; choose one of {', '.join(FAULTS)}")
        length = None if seconds is None else _seconds("fault seconds", seconds)
        reply = self._steps[-1][0]
        if reply is None:  # a fault alone needs no reply: it answers with the success status
            reply = Reply(kind="static", status=None)  # the spec's answer
        return self._set(replace(reply, fault=kind, fault_seconds=length))

    def then_state(self, state: str) -> RuleBuilder:
        """After answering, move the rule's scenario to ``state``."""
        if self._rule.scenario is None:
            raise RuleError("then_state() needs a scenario: when(..., scenario='name')")
        if not isinstance(state, str) or not state:
            raise RuleError(f"a state is a non-empty string, not {state!r}")
        self._rule = replace(self._rule, next_state=state)
        return self._register()

    # -- the failures every API has ------------------------------------------------------
    def fail_first(
        self, n: int, status: int = 503, *, retry_after: float | None = None
    ) -> RuleBuilder:
        """Fail the first ``n`` requests with ``status``, then answer as the spec says
        (or as a following ``respond...()`` says): for testing a client's retries."""
        self._failure(status, retry_after)
        self.times(n)
        self._steps.append([Reply(kind="static"), None])  # the spec's answer
        return self._register()

    def rate_limited(self, retry_after: float = 1, *, times: int | None = None) -> RuleBuilder:
        """Answer 429 Too Many Requests with ``Retry-After`` (``times`` requests, or all)."""
        self._failure(429, retry_after)
        return self.times(times) if times is not None else self

    def unavailable(
        self, retry_after: float | None = None, *, times: int | None = None
    ) -> RuleBuilder:
        """Answer 503 Service Unavailable (with ``Retry-After`` when given)."""
        self._failure(503, retry_after)
        return self.times(times) if times is not None else self

    def _failure(self, status: int, retry_after: float | None) -> None:
        """A failure reply: the spec's body for ``status`` if it declares one, else a
        problem+json. Deliberately off-contract when undeclared: any server may answer
        429 or 503, whatever a document says."""
        headers = {}
        if retry_after is not None:
            headers["Retry-After"] = f"{_seconds('retry_after', retry_after):g}"
        code = self._status(status)
        assert code is not None
        if self._op.declared_key(code) not in (None, "default"):
            self._set(Reply(kind="static", status=code, headers=_headers(headers)))
            return
        problem = {"type": "about:blank", "title": _phrase(code), "status": code}
        self.respond(code, json=problem, headers=headers, content_type=PROBLEM_JSON, check=False)

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

    def _current_reply(self, what: str) -> Reply:
        reply = self._steps[-1][0]
        if reply is None:
            raise RuleError(f"{what}() applies to a reply: call respond...() first")
        return reply  # type: ignore[no-any-return]

    def _check(self, reply: Reply) -> None:
        """Report a reply that breaks the operation's declared responses."""
        problems = contract_problems(self._collection.responder, self._op, reply)
        if not problems:
            return
        text = (
            f"the rule for {self._op.name} breaks the contract: {'; '.join(problems)} "
            "(pass check=False to send it on purpose)"
        )
        if self._strict:
            raise RuleError(text)
        warnings.warn(MockamochaWarning(text), stacklevel=3)

    def _status(self, status: int | None) -> int | None:
        if status is None:
            return None
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            raise RuleError(f"status must be an HTTP status code (100-599), not {status!r}")
        return status

    def _declared(self, status: int | None) -> str:
        """The responses key answering ``status`` (the success one when None)."""
        key = self._op.success_status() if status is None else self._op.declared_key(status)
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


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def delay_range(seconds: float, maximum: float | None) -> tuple[float, float | None]:
    """A checked delay: fixed ``seconds``, or a range up to ``maximum`` (``RuleError``)."""
    low = _seconds("delay", seconds)
    high = None if maximum is None else _seconds("delay maximum", maximum)
    if high is not None and high < low:
        raise RuleError(f"delay maximum {high} is below the minimum {low}")
    return low, high


def _seconds(what: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 600:
        raise RuleError(f"{what} must be between 0 and 600 seconds, not {value!r}")
    return float(value)


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
