"""The object behind the ``mockamocha`` fixture; usable without pytest as a context manager.

    with Mockamocha(server, test="my-test") as mock:
        mock.when("GET /pets/{petId}", path={"petId": 7}).respond(status=404)
        ...

Leaving the block withdraws the test's rules and, when strict, raises for every request
that matched no operation or broke the contract.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from os import PathLike
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from pytest_mockamocha.analytics.journal import RequestRecord
from pytest_mockamocha.engine import Collection
from pytest_mockamocha.engine.respond.reply import UNSET
from pytest_mockamocha.engine.rules.form import parse_delay, problems_text
from pytest_mockamocha.errors import MockamochaAssertionError, RuleError
from pytest_mockamocha.generate.records import records, response_schema
from pytest_mockamocha.rulebuilder import RuleBuilder
from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.spec.model import Operation

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from pytest_mockamocha.generate.schema import SchemaGenerator

#: The document a schema handed in without a collection is generated against.
_BARE_DOCUMENT: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "-", "version": "-"}}


class Mockamocha:
    """A test's view of the mock server: URLs, rules, the test's journal, assertions."""

    def __init__(
        self,
        server: MockServer,
        *,
        test: str = "manual",
        strict: bool = True,
        collection: str | None = None,
        seed: int | None = None,
    ):
        self.server = server
        self.engine = server.engine
        self.test = test
        self.strict = strict
        self.seed = seed
        self._default = collection
        #: what close() puts back: modes and delays this test switched on
        self._undo: list[Callable[[], object]] = []
        if collection is not None:
            self.engine.collection(collection)

    # -- context -------------------------------------------------------------------------
    def __enter__(self) -> Mockamocha:
        self.engine.begin_test(self.test, seed=self.seed)
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        problems = self.close()
        if problems and self.strict and exc_type is None:
            raise MockamochaAssertionError(strict_failure_text(problems))

    def close(self) -> list[RequestRecord]:
        """Withdraw this test's rules and modes and stop tagging; returns its failed requests."""
        self.engine.rules.remove_owned(self.test)
        while self._undo:
            self._undo.pop()()
        return self.engine.end_test()

    def problems(self) -> list[RequestRecord]:
        """The requests of this test so far that matched no operation or broke the contract
        (those an ``expect_rejection`` block asked for left out)."""
        return self.engine.problems()

    @contextlib.contextmanager
    def expect_rejection(
        self, status: int | None = None, *, operation: str | None = None
    ) -> Iterator[list[RequestRecord]]:
        """A block whose requests the mock is meant to reject: what it refuses inside (a
        broken contract, an unknown path) is the test's intent, not a strict-mode failure;
        outside it everything stays strict. The block fails when nothing was rejected,
        or a rejection has another ``status`` or reached another ``operation``. Yields
        the list of rejected requests, filled when the block ends.

        ``with mockamocha.expect_rejection(status=401): client.create_book(...)``"""
        before = {r.id for r in self.engine.problems()}
        rejected: list[RequestRecord] = []
        try:
            yield rejected
        finally:
            new = [r for r in self.engine.problems() if r.id not in before]
            rejected.extend(r for r in new if r.source in _REJECTIONS)
            self.engine.forgive(r.id for r in rejected)
        # reached only when the block did not raise: its own error says more
        wanted = _wanted_rejection(status, operation, self, rejected)
        if wanted:
            raise MockamochaAssertionError(wanted)

    # -- URLs ----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The mock URL of the test's collection (the only one, or the marker's)."""
        return self.url_for(self._slug(None))

    def url_for(self, slug: str, path: str = "") -> str:
        """The mock URL of ``path`` in collection ``slug``."""
        return self.server.url_for(slug, path)

    def collection(self, slug: str | None = None) -> Collection:
        """A mounted collection (the default one when ``slug`` is None)."""
        return self.engine.collection(self._slug(slug))

    def operation(self, name: str, collection: str | None = None) -> Operation:
        """The operation called ``name`` (``"GET /pets/{petId}"`` or an operationId)."""
        return self.collection(collection).operation(name)

    def _slug(self, slug: str | None) -> str:
        if slug is not None:
            return slug
        if self._default is not None:
            return self._default
        slugs = [c.slug for c in self.engine]
        if len(slugs) == 1:
            return slugs[0]
        raise RuleError(
            "several collections are loaded "
            f"({', '.join(slugs) or 'none'}); name one with collection= "
            "or the marker's collection argument"
        )

    # -- rules ---------------------------------------------------------------------------
    def when(
        self,
        operation: str,
        *,
        collection: str | None = None,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        json: Any = UNSET,
        json_contains: Any = UNSET,
        match: Mapping[str, Any] | None = None,
        priority: int = 0,
        scenario: str | None = None,
        state: str | None = None,
    ) -> RuleBuilder:
        """Start a rule for ``operation``: for requests that fit every matcher given.

        The keyword matchers are shorthands of ``match``, the rule files' and the API's
        form (``{"query": {"status": {"regex": "^s"}}, "body": [...], "any_of": [...]}``).
        With ``scenario``, the rule fires only while the scenario is in ``state``."""
        coll = self.collection(collection)
        op = coll.operation(operation)
        form: dict[str, Any] = dict(match or {})
        for key, value in (
            ("path", path),
            ("query", query),
            ("headers", headers),
            ("cookies", cookies),
        ):
            if value:
                form[key] = {**form.get(key, {}), **value}
        if json is not UNSET:
            form["json"] = json
        if json_contains is not UNSET:
            form["json_contains"] = json_contains
        return RuleBuilder(
            self.engine,
            coll,
            op,
            form,
            owner=self.test,
            priority=priority,
            scenario=scenario,
            state=state,
            strict=self.strict,
        )

    # -- behaviours ----------------------------------------------------------------------
    def load_rules(self, path: str | PathLike[str]) -> list[str]:
        """Load a YAML rule file for this test (withdrawn when it ends); returns its ids.

        A rule that breaks the contract fails in strict mode (``RuleError``) and warns
        otherwise, as rules made with ``when(...)`` do."""
        from pytest_mockamocha.engine.rules.files import load_rule_file

        loaded = load_rule_file(path, self.engine, owner=self.test, warn=not self.strict)
        if loaded.warnings and self.strict:
            for rule in loaded.rules:
                self.engine.rules.remove(rule.id)
            raise RuleError("\n".join(loaded.warnings))
        return [rule.id for rule in loaded.rules]

    def scenario_state(self, scenario: str, *, collection: str | None = None) -> str:
        """The current state of a scenario (``started`` until a rule moves it)."""
        return self.engine.rules.state(self._slug(collection), scenario)

    def set_scenario_state(
        self, scenario: str, state: str, *, collection: str | None = None
    ) -> None:
        """Move a scenario to ``state`` by hand (for a test that starts mid-story)."""
        self.engine.rules.set_state(self._slug(collection), scenario, state)

    def reset(self, *, collection: str | None = None) -> None:
        """Scenarios to ``started``, rule sequences to their first step, stateful stores
        to their seed data (every collection, or one)."""
        self.engine.reset_state(None if collection is None else self._slug(collection))

    def stateful(
        self,
        resources: Iterable[str] | None = None,
        *,
        collection: str | None = None,
        size: int = 3,
    ) -> None:
        """Answer collection/item path pairs (``/pets``, ``/pets/{petId}``) from a store:
        POST adds, GET reads, PUT/PATCH update, DELETE removes; for this test only.

        ``resources`` limits it to some collection paths; ``size`` records are generated
        as the starting data."""
        from pytest_mockamocha.engine.stateful.store import StatefulStore

        coll = self.collection(collection)
        try:
            store = StatefulStore(coll, resources, size=size)
        except ValueError as exc:
            raise RuleError(str(exc)) from None
        self._undo.append(self.engine.set_state(coll.slug, store))

    def delay(
        self, seconds: float, maximum: float | None = None, *, collection: str | None = None
    ) -> None:
        """Delay every answer of the collection that has no delay of its own, for this
        test: ``seconds``, or a random wait in [seconds, maximum] (seeded)."""
        low, high, problems = parse_delay(
            seconds if maximum is None else [seconds, maximum], ("delay",)
        )
        if problems:
            raise RuleError(problems_text(problems))
        self._undo.append(self.engine.set_delay(self._slug(collection), (low, high)))

    def cors(self, enabled: bool, *, collection: str | None = None) -> None:
        """Whether the server answers browsers' CORS preflights for the collection, for
        this test. Off, a preflight reaches the document's own ``OPTIONS`` operation (or its
        404/405) and answers carry no CORS headers: for testing an API's own CORS."""
        self._undo.append(self.engine.set_cors(self._slug(collection), bool(enabled)))

    # -- journal and assertions ----------------------------------------------------------
    def requests(
        self, operation: str | None = None, *, collection: str | None = None
    ) -> list[RequestRecord]:
        """The requests this test sent, oldest first (optionally to one operation)."""
        if operation is None:
            return self.engine.journal.records(test=self.test, collection=collection)
        slug = self._slug(collection)
        name = self.engine.collection(slug).operation(operation).name
        return self.engine.journal.records(test=self.test, collection=slug, operation=name)

    def assert_called(
        self,
        operation: str,
        times: int | None = None,
        *,
        collection: str | None = None,
        status: int | None = None,
        path: str | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> list[RequestRecord]:
        """Fail unless ``operation`` was called (exactly ``times`` times) as described."""
        calls = self.requests(operation, collection=collection)
        fitting = [r for r in calls if _fits(r, status, path, query)]
        wanted = "at least once" if times is None else f"{times} time(s)"
        if (times is None and not fitting) or (times is not None and len(fitting) != times):
            seen = "\n".join(_listed(r) for r in calls[-10:]) or "    (none)"
            where = _described(status, path, query)
            raise MockamochaAssertionError(
                f"expected {operation} to be called {wanted}{where}; it was called "
                f"{len(fitting)} time(s) like that. Its calls in this test:\n{seen}"
            )
        return fitting

    def assert_not_called(self, operation: str, *, collection: str | None = None) -> None:
        """Fail if ``operation`` was called in this test."""
        calls = self.requests(operation, collection=collection)
        if calls:
            seen = "\n".join(f"    {r.describe()}" for r in calls[:10])
            raise MockamochaAssertionError(
                f"expected {operation} not to be called; it was called {len(calls)} "
                f"time(s):\n{seen}"
            )

    # -- generated data ------------------------------------------------------------------
    def generate(
        self,
        op_or_schema: str | Mapping[str, Any],
        count: int = 1,
        *,
        seed: int | None = None,
        status: int | str | None = None,
        **custom_fields: Any,
    ) -> list[Any]:
        """``count`` realistic records, valid against an operation's response or a schema.

        For an operation name the records fit its success (or ``status``) response; for a
        list operation each record is one item of the array. ``custom_fields`` pin fields:
        a list of choices, a fixed value, ``range(a, b)``, a ``(lo, hi)`` tuple, or
        ``"faker:<provider>"``. Same seed, same records (the seed defaults to the test's).
        """
        generator, schema = self._schema_of(op_or_schema, status)
        chosen = self._seed(seed)
        try:
            return records(generator, schema, count, chosen, custom_fields)
        except ValueError as exc:
            raise RuleError(str(exc)) from None

    def strategy(
        self, op_or_schema: str | Mapping[str, Any], *, status: int | str | None = None
    ) -> SearchStrategy[Any]:
        """A hypothesis strategy of records built like ``generate`` (realistic, valid).

        Examples are drawn from a 64-bit seed, so hypothesis explores by seed and every
        example goes through the generator's validation.
        """
        from hypothesis import strategies as st

        generator, schema = self._schema_of(op_or_schema, status)

        def build(seed: int) -> Any:
            return records(generator, schema, 1, seed)[0]

        return st.integers(min_value=0, max_value=2**64 - 1).map(build)

    def _schema_of(
        self, op_or_schema: str | Mapping[str, Any], status: int | str | None
    ) -> tuple[SchemaGenerator, Any]:
        """The generator and the (item) schema an operation name or a schema stands for."""
        if isinstance(op_or_schema, str):
            coll = self.collection()
            op = coll.operation(op_or_schema)
            try:
                schema, _ = response_schema(coll.spec.document, op, status)
            except ValueError as exc:
                raise RuleError(str(exc)) from None
            return coll.responder.generator, schema
        if status is not None:
            raise RuleError("status= only applies to an operation name, not to a schema")
        slugs = [c.slug for c in self.engine]
        if self._default is not None or len(slugs) == 1:
            return self.collection().responder.generator, op_or_schema
        from pytest_mockamocha.generate.schema import SchemaGenerator

        return SchemaGenerator(_BARE_DOCUMENT, "3.1"), op_or_schema

    def _seed(self, seed: int | None) -> int:
        """The seed given, else the test's (or session's) seed."""
        if seed is not None:
            return seed
        return self.seed if self.seed is not None else self.engine.seed


def _listed(record: RequestRecord) -> str:
    """A call for a failure message, with why no rule answered it when one came close."""
    line = f"    {record.describe()}"
    return f"{line}\n      {record.note}" if record.note else line


def _fits(
    record: RequestRecord, status: int | None, path: str | None, query: Mapping[str, Any] | None
) -> bool:
    if status is not None and record.status != status:
        return False
    if path is not None and record.path != path:
        return False
    if query:
        got = parse_qs(record.query, keep_blank_values=True)
        for key, value in query.items():
            wanted = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
            if got.get(key) != wanted:
                return False
    return True


def _described(status: int | None, path: str | None, query: Mapping[str, Any] | None) -> str:
    parts = []
    if path is not None:
        parts.append(f"path={path}")
    if query:
        parts.append(f"query={dict(query)}")
    if status is not None:
        parts.append(f"status={status}")
    return f" with {', '.join(parts)}" if parts else ""


#: journal sources of answers that refuse a request
_REJECTIONS = frozenset({"invalid", "unmatched"})


def _wanted_rejection(
    status: int | None, operation: str | None, handle: Mockamocha, rejected: list[RequestRecord]
) -> str | None:
    """Why an ``expect_rejection`` block failed, or None."""
    asked = " ".join(
        part
        for part in (
            f"status {status}" if status is not None else "",
            f"to {operation}" if operation is not None else "",
        )
        if part
    )
    if not rejected:
        return "expect_rejection: the mock rejected no request inside the block" + (
            f" (expected one with {asked})" if asked else ""
        )
    name = None
    if operation is not None:
        name = handle.operation(operation, rejected[0].collection).name
    wrong = [
        r
        for r in rejected
        if (status is not None and r.status != status)
        or (name is not None and r.operation != name)
    ]
    if not wrong:
        return None
    lines = [f"expect_rejection: expected every rejection with {asked}; these differ:"]
    for record in wrong[:10]:
        lines.append(f"  [{record.collection}] {record.describe()}")
        lines.extend(f"      violation: {v}" for v in record.violations)
    return "\n".join(lines)


def strict_failure_text(problems: list[RequestRecord]) -> str:
    """The failure message of strict mode: each request, its violation, the nearest operation."""
    lines = [f"mockamocha (strict): {len(problems)} request(s) to the mock broke the API contract:"]
    for record in problems[:20]:
        lines.append(f"  [{record.collection}] {record.describe()}")
        if record.operation is None:
            near = ", ".join(record.nearest) or "none"
            lines.append(f"      matches no operation; nearest: {near}")
        else:
            lines.append(f"      operation: {record.operation}")
            lines.extend(f"      violation: {v}" for v in record.violations)
    if len(problems) > 20:
        lines.append(f"  ... and {len(problems) - 20} more")
    lines.append(
        "  (use --mockamocha-no-strict or @pytest.mark.mockamocha(strict=False) to "
        "only report these)"
    )
    return "\n".join(lines)
