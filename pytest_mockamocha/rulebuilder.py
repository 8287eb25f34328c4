"""The fluent builder behind ``mockamocha.when(...)``.

Every call writes the rule's dict form, the one rule files and the management API
spell, and hands it to ``engine/rules/form.py``: the same checks, in the same words,
raised as ``RuleError`` when the rule is made, never when a request arrives. The rule is
re-registered after every call, so it is live as soon as it has a reply.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from pytest_mockamocha._ids import new_id
from pytest_mockamocha.engine import Collection, Engine
from pytest_mockamocha.engine.formproblems import FormProblem, Path
from pytest_mockamocha.engine.respond.reply import UNSET, contract_problems
from pytest_mockamocha.engine.respond.responder import PROBLEM_JSON
from pytest_mockamocha.engine.rules.book import Rule
from pytest_mockamocha.engine.rules.form import (
    MAX_SECONDS,
    is_seconds,
    parse_head,
    parse_rule,
    times_problems,
)
from pytest_mockamocha.errors import MockamochaWarning, RuleError
from pytest_mockamocha.spec.model import Operation


class RuleBuilder:
    """Shapes the answers of one operation for requests that fit the given matchers."""

    def __init__(
        self,
        engine: Engine,
        collection: Collection,
        operation: Operation,
        match: Mapping[str, Any],
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
        self._id = new_id("rule")
        self._owner = owner
        head: dict[str, Any] = {"match": dict(match), "priority": priority}
        head.update({k: v for k, v in (("scenario", scenario), ("state", state)) if v is not None})
        _, problems = parse_head(head, (), op=operation)
        if problems:
            raise RuleError(_worded(problems))
        self._head = head
        #: [step form, times] per step; the form is None until the step has a reply
        self._steps: list[tuple[dict[str, Any] | None, Any]] = [(None, None)]
        self._rule: Rule | None = None

    @property
    def id(self) -> str:
        """The rule's id (``rule_...``)."""
        return self._id

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
        step = _given(status=status, headers=headers, content_type=content_type, body=body)
        if json is not UNSET:
            step["json"] = json
        return self._reply(step, check=check)

    def respond_example(
        self, name: str, *, status: int | None = None, headers: Mapping[str, str] | None = None
    ) -> RuleBuilder:
        """Answer with the spec's example called ``name`` (by default with the status of
        the response that holds it)."""
        return self._reply(_given(example=name, status=status, headers=headers))

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
        generate = {**(values or {}), **overrides} or True
        return self._reply(_given(generate=generate, status=status, headers=headers))

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
        if (template is None) == (json is UNSET):
            raise RuleError("give a text template or json=, one of them")
        source = template if template is not None else json
        step = _given(template=source, status=status, headers=headers, content_type=content_type)
        return self._reply(step)

    def delay(self, seconds: float, maximum: float | None = None) -> RuleBuilder:
        """Wait ``seconds`` before answering the current step; with ``maximum``, a random
        wait in [seconds, maximum], the same for the same seed and request. Alone (no
        ``respond...()`` before it), it delays whatever the operation would answer."""
        step = self._steps[-1][0] or {}
        return self._set({**step, "delay": seconds if maximum is None else [seconds, maximum]})

    def fault(self, kind: str, *, seconds: float | None = None) -> RuleBuilder:
        """Misbehave on the socket instead of answering: ``connection_reset``, ``close``,
        ``empty_response``, ``malformed_body``, ``truncated_body``, ``slow_body`` (the body
        dripped over ``seconds``) or ``hang`` (until the client gives up, or ``seconds``)."""
        step = self._steps[-1][0] or {}  # a fault alone answers with the spec's success answer
        fault: Any = kind if seconds is None else {"kind": kind, "seconds": seconds}
        return self._set({**step, "fault": fault})

    def then_state(self, state: str) -> RuleBuilder:
        """After answering, move the rule's scenario to ``state``."""
        return self._commit({**self._head, "next_state": state}, self._steps)

    # -- the failures every API has ------------------------------------------------------
    def fail_first(
        self, n: int, status: int = 503, *, retry_after: float | None = None
    ) -> RuleBuilder:
        """Fail the first ``n`` requests with ``status``, then answer as the spec says
        (or as a following ``respond...()`` says): for testing a client's retries."""
        failure = self._failure(status, retry_after)
        return self._commit(self._head, [*self._steps[:-1], (failure, n), ({}, None)])

    def rate_limited(self, retry_after: float = 1, *, times: int | None = None) -> RuleBuilder:
        """Answer 429 Too Many Requests with ``Retry-After`` (``times`` requests, or all)."""
        self._set(self._failure(429, retry_after))
        return self.times(times) if times is not None else self

    def unavailable(
        self, retry_after: float | None = None, *, times: int | None = None
    ) -> RuleBuilder:
        """Answer 503 Service Unavailable (with ``Retry-After`` when given)."""
        self._set(self._failure(503, retry_after))
        return self.times(times) if times is not None else self

    def _failure(self, status: int, retry_after: float | None) -> dict[str, Any]:
        """A failure step: the spec's body for ``status`` if it declares one, else a
        problem+json. Deliberately off-contract when undeclared: any server may answer
        429 or 503, whatever a document says."""
        headers = {}
        if retry_after is not None:
            if not is_seconds(retry_after):
                raise RuleError(f'Field "retry_after" must be 0-{MAX_SECONDS:g} seconds')
            headers["Retry-After"] = f"{retry_after:g}"
        step = _given(status=status, headers=headers or None)
        if isinstance(status, int) and self._op.declared_key(status) not in (None, "default"):
            return step
        problem = {"type": "about:blank", "title": _phrase(status), "status": status}
        return {**step, "json": problem, "content_type": PROBLEM_JSON}

    # -- sequences -----------------------------------------------------------------------
    def times(self, n: int) -> RuleBuilder:
        """The current step answers ``n`` requests; after the last step the rule retires."""
        problems = times_problems(n, ("times",))
        if problems:
            raise RuleError(_worded(problems))
        return self._commit(self._head, [*self._steps[:-1], (self._steps[-1][0], n)])

    def then(self, status: int | None = None, **respond: Any) -> RuleBuilder:
        """Start the next step; with arguments, it answers like ``respond(...)``."""
        step, times = self._steps[-1][0], self._steps[-1][1]
        if step is None:
            raise RuleError("then() follows a reply: call respond...() first")
        self._steps = [*self._steps[:-1], (step, 1 if times is None else times), (None, None)]
        if status is not None or respond:
            return self.respond(status, **respond)
        return self

    def remove(self) -> None:
        """Withdraw the rule now rather than at the end of the test."""
        self._engine.rules.remove(self.id)

    # -- internals -----------------------------------------------------------------------
    def _reply(self, step: dict[str, Any], *, check: bool = True) -> RuleBuilder:
        """The current step answers with ``step``; checked against the contract."""
        self._set(step)
        if check:
            self._check()
        return self

    def _set(self, step: dict[str, Any]) -> RuleBuilder:
        return self._commit(self._head, [*self._steps[:-1], (step, self._steps[-1][1])])

    def _commit(
        self, head: dict[str, Any], steps: list[tuple[dict[str, Any] | None, Any]]
    ) -> RuleBuilder:
        """Check the whole rule form, as files and the API would, and make it the live
        rule; on a problem nothing changes and ``RuleError`` says what."""
        forms = [
            step if times is None else {**step, "times": times}
            for step, times in steps
            if step is not None
        ]
        if not forms:  # no reply yet: nothing to serve, but the rest must hold
            _, problems = parse_head(head, (), op=self._op)
            if problems:
                raise RuleError(_worded(problems))
            self._head, self._steps = head, steps
            return self
        form = {**head, "response": forms[0], "then": forms[1:]}
        rule, problems = parse_rule(
            form, (), coll=self._collection, op=self._op, rule_id=self._id, owner=self._owner
        )
        if rule is None:
            raise RuleError(_worded(problems))
        self._head, self._steps, self._rule = head, steps, rule
        self._engine.rules.put(rule)
        return self

    def _check(self) -> None:
        """Report a current reply that breaks the operation's declared responses."""
        assert self._rule is not None
        reply = self._rule.steps[-1].reply
        problems = contract_problems(self._collection.responder, self._op, reply)
        if not problems:
            return
        text = (
            f"the rule for {self._op.name} breaks the contract: {'; '.join(problems)} "
            "(pass check=False to send it on purpose)"
        )
        if self._strict:
            raise RuleError(text)
        warnings.warn(MockamochaWarning(text), stacklevel=4)

    def __repr__(self) -> str:
        steps = 0 if self._rule is None else len(self._rule.steps)
        return f"<RuleBuilder {self.id} {self._op.name} steps={steps}>"


def _given(**fields: Any) -> dict[str, Any]:
    """A step form of the arguments that were given (None: not given)."""
    return {key: value for key, value in fields.items() if value is not None}


def _worded(problems: list[FormProblem]) -> str:
    """Problems as the builder's caller reads them: a step's field by its own name
    (``status``, ``headers.X-Rate``), not by its place in the form (``then[1].status``)."""
    return "; ".join(str(FormProblem(_in_step(p.at), p.message)) for p in problems)


def _in_step(path: Path) -> Path:
    if path[:1] == ("response",):
        return path[1:]
    if path[:1] == ("then",) and len(path) > 1:
        return path[2:]
    return path


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
