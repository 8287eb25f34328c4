"""The mock engine: request in, response out, every exchange journaled.

It knows nothing of sockets or pytest: the server hands it ``MockRequest`` values and
acts out the ``MockResponse`` it returns; the plugin tells it which test is running.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from pytest_mockamocha._ids import SequentialIds
from pytest_mockamocha.analytics.journal import Journal, RequestRecord
from pytest_mockamocha.engine.exchange import MockRequest, MockResponse
from pytest_mockamocha.engine.respond.responder import NotAcceptable, Prefer, Responder
from pytest_mockamocha.engine.router import RouteMatch, RouteMiss, Router
from pytest_mockamocha.engine.rules.book import Reply, RuleBook
from pytest_mockamocha.engine.rules.form import contract_problems
from pytest_mockamocha.engine.rules.matchers import MatchContext
from pytest_mockamocha.engine.validate.fastcheck import FastRequestCheck
from pytest_mockamocha.engine.validate.violations import ContractValidator, Violation
from pytest_mockamocha.errors import CollectionNotFoundError
from pytest_mockamocha.generate import GenerationError, SchemaGenerator
from pytest_mockamocha.spec.index import OperationIndex
from pytest_mockamocha.spec.model import ApiSpec, Operation

TEST_HEADER = "X-MockaMocha-Test"
_PROBLEMS_PER_TEST = 200


class ResourceState(Protocol):
    """Stateful mode: collection/item path pairs answered from a store of records."""

    def answer(
        self,
        op: Operation,
        path_params: Mapping[str, str],
        request: MockRequest,
        *,
        accept: str | None,
        seed: int,
        material: str,
    ) -> MockResponse | None:
        """The answer of a CRUD operation, None for an operation the store does not serve."""
        ...

    def reset(self) -> None:
        """Forget every change: back to the seeded records."""
        ...


class Upstream(Protocol):
    """Proxy mode: the real API that answers what no rule answers."""

    def exchange(
        self, op: Operation, path_params: Mapping[str, str], request: MockRequest
    ) -> tuple[MockResponse, list[Violation]]:
        """The upstream's answer to ``request`` (a 502 problem when it cannot be reached)
        and how that answer breaks the operation's declared responses (drift)."""
        ...

    def close(self) -> None:
        """Release the connections to the upstream."""
        ...


@dataclass(eq=False)
class Collection:
    """One API mounted at ``/mocks/{slug}``: its spec, router, validator and responder."""

    slug: str
    spec: ApiSpec
    #: operations of the document that are not served (deleted through the API): 404
    withdrawn: set[str] = field(default_factory=set)
    #: attached data sets by operation name: served instead of generated data
    datasets: dict[str, list[Any]] = field(default_factory=dict)
    #: stateful mode's resource store (None: every answer is independent)
    state: ResourceState | None = None
    #: proxy mode: requests no rule answers go to the real API
    upstream: Upstream | None = None
    #: the delay of every answer that has none of its own: seconds, or a (min, max) range
    delay: tuple[float, float | None] = (0.0, None)

    @cached_property
    def index(self) -> OperationIndex:
        """Operations by name and operationId."""
        return OperationIndex(self.spec.operations, where=f"collection {self.slug!r}")

    @cached_property
    def router(self) -> Router:
        """Path and method -> operation."""
        return Router(self.spec.operations)

    @cached_property
    def validator(self) -> ContractValidator:
        """Request and response validation: a compiled fast path, openapi-core for the rest."""
        fast = FastRequestCheck(self.spec.document, self.responder.generator)
        return ContractValidator(self.spec, fast=fast)

    @cached_property
    def responder(self) -> Responder:
        """Spec-derived responses."""
        return Responder(self.spec, SchemaGenerator(self.spec.document, self.spec.version))

    @cached_property
    def optional_params(self) -> dict[str, tuple[tuple[str, str, str], ...]]:
        """Per operation: (location, name, "location.name") of optional query and header params."""
        return {
            op.name: tuple(
                (p.location, p.name, f"{p.location}.{p.name}")
                for p in op.parameters
                if not p.required and p.location in ("query", "header")
            )
            for op in self.spec.operations
        }

    def warm(self) -> None:
        """Build what the first request would otherwise build."""
        _ = self.index, self.router, self.validator, self.responder, self.optional_params

    def operation(self, name: str) -> Operation:
        """The operation called ``name`` (``"GET /pets/{id}"`` or an operationId)."""
        return self.index.get(name)


@dataclass
class TestContext:
    """Which test is running, and what went wrong for it so far."""

    test: str | None = None
    seed: int | None = None
    problems: list[RequestRecord] = field(default_factory=list)


class Engine:
    """All collections of one server, their rules, and the request journal."""

    def __init__(self, *, seed: int = 0, journal: Journal | None = None, record: bool = True):
        self.seed = seed
        #: keep request records (journal, analytics); off, only failed requests are kept
        self.record = record
        self.journal = journal if journal is not None else Journal()
        self.rules = RuleBook()
        self._collections: dict[str, Collection] = {}
        self._lock = threading.Lock()
        self._context = TestContext()
        self._record_ids = SequentialIds("req")

    # -- collections -------------------------------------------------------------------
    def add(self, spec: ApiSpec, slug: str | None = None) -> Collection:
        """Mount ``spec`` under a unique slug (``pets``, ``pets-2``, ...)."""
        with self._lock:
            base = slug or spec.slug
            unique, n = base, 2
            while unique in self._collections:
                unique, n = f"{base}-{n}", n + 1
            coll = Collection(unique, spec)
            self._collections[unique] = coll
        return coll

    def remove(self, slug: str) -> None:
        """Unmount a collection and forget its rules."""
        with self._lock:
            self._collections.pop(slug, None)
        for rule in self.rules.rules(collection=slug):
            self.rules.remove(rule.id)

    def collection(self, slug: str) -> Collection:
        """The collection mounted as ``slug``."""
        coll = self._collections.get(slug)
        if coll is None:
            raise CollectionNotFoundError(slug, sorted(self._collections))
        return coll

    def find_source(self, source: str) -> Collection | None:
        """The collection loaded from ``source`` (a spec path), if any."""
        return next((c for c in self._collections.values() if c.spec.source == source), None)

    def __iter__(self) -> Iterator[Collection]:
        return iter(list(self._collections.values()))

    # -- tests ---------------------------------------------------------------------------
    def begin_test(self, test: str, seed: int | None = None) -> None:
        """Tag the requests that follow with ``test`` (keeping its problems if it is current)."""
        if self._context.test == test:
            self._context.seed = seed
        else:
            self._context = TestContext(test=test, seed=seed)
            self.reset_state()

    def reset_state(self, slug: str | None = None) -> None:
        """Scenarios, rule sequences and stateful stores back to where they started."""
        self.rules.reset(slug)
        for coll in self:
            if coll.state is not None and slug in (None, coll.slug):
                coll.state.reset()

    def end_test(self) -> list[RequestRecord]:
        """Stop tagging; returns the failed requests of the test that ended."""
        ended, self._context = self._context, TestContext()
        self.reset_state()
        return ended.problems

    @property
    def current_test(self) -> str | None:
        """The node id of the running test, if any."""
        return self._context.test

    def problems(self) -> list[RequestRecord]:
        """Unmatched or invalid requests of the running test so far."""
        return list(self._context.problems)

    # -- requests ------------------------------------------------------------------------
    def handle(self, slug: str, request: MockRequest) -> MockResponse:
        """Answer one request to collection ``slug`` and journal it."""
        started = time.perf_counter_ns()
        coll = self.collection(slug)
        context = self._context
        seed = context.seed if context.seed is not None else self.seed
        route = coll.router.match(request.path, request.method)
        if isinstance(route, RouteMatch) and route.operation.name in coll.withdrawn:
            route = RouteMiss(404, nearest=coll.router.nearest(request.method, request.path))
        violations: list[Violation] = []
        note = ""
        sent: tuple[str, ...] = ()
        if isinstance(route, RouteMatch):
            response, violations, note = self._answer(coll, route, request, seed)
            op_name: str | None = route.operation.name
            optional = coll.optional_params.get(route.operation.name)
            if optional:
                sent = _sent(optional, request)
            nearest: tuple[str, ...] = ()
        else:
            op_name, nearest = None, route.nearest
            response = self._miss(coll, request, route.status, route.allowed, nearest)
        failed = op_name is None or bool(violations)
        if not self.record and not failed:
            return response
        record = RequestRecord(
            id=self._record_ids.next(),
            time=time.time(),
            collection=slug,
            operation=op_name,
            method=request.method,
            path=request.path,
            query=request.query_string,
            status=response.status,
            duration_us=(time.perf_counter_ns() - started) // 1000,
            source=response.source,
            test=request.headers.get(TEST_HEADER) or context.test,
            rule_id=response.rule_id,
            violations=tuple(str(v) for v in violations),
            nearest=nearest,
            note=note,
            params=sent,
        )
        if self.record:
            self.journal.append(record)
        if failed and len(context.problems) < _PROBLEMS_PER_TEST:
            context.problems.append(record)
        return response

    def _answer(
        self, coll: Collection, route: RouteMatch, request: MockRequest, seed: int
    ) -> tuple[MockResponse, list[Violation], str]:
        op = route.operation
        material = f"{request.method}|{request.path}|{sorted(request.query.items(multi=True))}"
        accept = request.headers.get("Accept")
        violations = coll.validator.request(
            op,
            request.method,
            route.path_params,
            request.query,
            request.headers,
            request.cookies,
            request.body,
            request.headers.get("Content-Type", ""),
        )
        responder = coll.responder
        try:
            if violations:
                return (
                    responder.rejection(
                        op, violations, accept=accept, seed=seed, material=material
                    ),
                    violations,
                    "",
                )
            ctx = MatchContext(
                route.path_params, request.query, request.headers, request.cookies, request.body
            )
            chosen = self.rules.select(coll.slug, op.name, ctx)
            if chosen.rule is not None and chosen.reply is not None:
                response = self.reply(
                    coll,
                    op,
                    chosen.reply,
                    accept=accept,
                    seed=seed,
                    material=f"{material}|{chosen.rule.id}|{self.rules.hits(chosen.rule.id)}",
                    request=request,
                    path_params=route.path_params,
                )
                drift = _template_drift(coll, op, chosen.reply, response)
                response.source, response.rule_id = "rule", chosen.rule.id
                return response, drift, f"fault: {response.fault}" if response.fault else ""
            note = ""
            if chosen.nearest is not None:
                note = f"nearest rule {chosen.nearest.id}: {'; '.join(chosen.reasons)}"
            if coll.upstream is not None:  # drift is journaled as the request's violations
                response, drift = coll.upstream.exchange(op, route.path_params, request)
                return response, drift, note
            if coll.state is not None:
                stored = coll.state.answer(
                    op, route.path_params, request, accept=accept, seed=seed, material=material
                )
                if stored is not None:
                    return _delayed(stored, coll.delay, seed, material), [], note
            dataset = coll.datasets.get(op.name)
            if dataset is not None:
                answer = responder.from_dataset(
                    op,
                    dataset,
                    route.path_params,
                    request.query,
                    accept=accept,
                    seed=seed,
                    material=material,
                )
                return _delayed(answer, coll.delay, seed, material), [], note
            prefer = Prefer.parse(request.headers.get("Prefer"))
            answer = responder.from_spec(
                op, accept=accept, seed=seed, material=material, prefer=prefer
            )
            return _delayed(answer, coll.delay, seed, material), [], note
        except NotAcceptable as exc:
            return (
                responder.problem(
                    406,
                    "Not Acceptable",
                    f"{op.name} answers {', '.join(exc.offered)}; the request accepts {accept!r}",
                ),
                [],
                "",
            )
        except GenerationError as exc:
            return (
                responder.problem(500, "Cannot generate a valid response", f"{op.name}: {exc}"),
                [],
                "",
            )

    def reply(
        self,
        coll: Collection,
        op: Operation,
        reply: Reply,
        *,
        accept: str | None,
        seed: int,
        material: str,
        request: MockRequest | None = None,
        path_params: Mapping[str, str] | None = None,
    ) -> MockResponse:
        """The response a rule's reply describes."""
        responder = coll.responder
        default_key = op.success_status()
        status = reply.status or (op.status_int(default_key) if default_key else 200)
        if reply.kind == "static" and (reply.has_json or reply.body is not None):
            response = _static(reply, status)
        elif reply.kind == "template":
            response = self._templated(
                coll, op, reply, status, request, path_params or {}, seed, material
            )
        else:
            key = op.declared_key(status) or default_key
            if key is None:
                response = MockResponse(status)
            else:
                response = responder.build(
                    op,
                    key,
                    status,
                    accept=accept,
                    seed=seed,
                    material=material,
                    example=reply.example,
                    dynamic=reply.kind == "generated",
                    overrides=reply.overrides or None,
                )
        names = {name.lower() for name, _ in reply.headers}
        response.headers = [h for h in response.headers if h[0].lower() not in names]
        response.headers.extend(reply.headers)
        if reply.delay or reply.delay_max:
            response.delay = _pick_delay((reply.delay, reply.delay_max), seed, material)
        else:
            response = _delayed(response, coll.delay, seed, material)
        response.fault, response.fault_seconds = reply.fault, reply.fault_seconds
        return response

    def _templated(
        self,
        coll: Collection,
        op: Operation,
        reply: Reply,
        status: int,
        request: MockRequest | None,
        path_params: Mapping[str, str],
        seed: int,
        material: str,
    ) -> MockResponse:
        """A template reply rendered against the request (and, on demand, generated data)."""
        from pytest_mockamocha.engine.respond import templates

        key = op.declared_key(status) or op.success_status()

        def generated() -> Any:
            if key is None:
                return None
            built = coll.responder.build(
                op,
                key,
                status,
                accept="application/json",
                seed=seed,
                material=material,
                dynamic=True,
            )
            try:
                return json.loads(built.body) if built.body else None
            except ValueError:
                return None

        try:
            value = templates.render(
                reply.template,
                templates.request_view(request, path_params),
                seed=seed,
                material=material,
                generated=generated,
            )
        except templates.TemplateError as exc:
            return coll.responder.problem(500, "Template failed", f"{op.name}: {exc}")
        if isinstance(reply.template, str):
            ctype = reply.content_type or "text/plain; charset=utf-8"
            if "json" in ctype:
                try:
                    json.loads(value)
                except ValueError as exc:
                    return coll.responder.problem(
                        500,
                        "Template failed",
                        f"{op.name}: the template's output is not JSON: {exc}",
                    )
            return MockResponse(status, str(value).encode(), ctype, source="rule")
        body = json.dumps(value, ensure_ascii=False).encode()
        return MockResponse(status, body, reply.content_type or "application/json", source="rule")

    def _miss(
        self,
        coll: Collection,
        request: MockRequest,
        status: int,
        allowed: tuple[str, ...],
        nearest: tuple[str, ...],
    ) -> MockResponse:
        responder = coll.responder
        hint = f"; nearest: {', '.join(nearest)}" if nearest else ""
        if status == 405:
            response = responder.problem(
                405,
                "Method Not Allowed",
                f"{request.method} is not declared for {request.path} in {coll.slug!r} "
                f"(allowed: {', '.join(allowed)}){hint}",
                nearest=list(nearest),
            )
            response.headers.append(("Allow", ", ".join(allowed)))
        else:
            response = responder.problem(
                404,
                "No such operation",
                f"{request.describe()} matches no operation of {coll.slug!r}{hint}",
                nearest=list(nearest),
            )
        response.source = "unmatched"
        return response


def _sent(optional: tuple[tuple[str, str, str], ...], request: MockRequest) -> tuple[str, ...]:
    """The names of the optional parameters ``request`` carried."""
    return tuple(
        label
        for where, name, label in optional
        if (request.query if where == "query" else request.headers).get(name) is not None
    )


def _template_drift(
    coll: Collection, op: Operation, reply: Reply, response: MockResponse
) -> list[Violation]:
    """How a template's rendered answer breaks the operation's declared responses.

    Other replies are checked once, when their rule is made; a template's output exists
    only per request, so it is checked here, and strict mode fails the test on it."""
    if reply.kind != "template":
        return []
    if response.source == "error":  # the template failed: the 500 is ours, not the API's
        detail = json.loads(response.body).get("detail", "")
        return [Violation("response", "template", str(detail))]
    rendered = Reply(status=response.status)
    if "json" in (response.content_type or ""):
        rendered = Reply(status=response.status, json=json.loads(response.body))
    return [Violation("response", "", text) for text in contract_problems(coll, op, rendered)]


def _pick_delay(delay: tuple[float, float | None], seed: int, material: str) -> float:
    """A fixed delay, or one drawn from the range, the same for the same seed and request."""
    low, high = delay
    if high is None or high <= low:
        return low
    return random.Random(f"{seed}|{material}|delay").uniform(low, high)


def _delayed(
    response: MockResponse, delay: tuple[float, float | None], seed: int, material: str
) -> MockResponse:
    """``response`` with the collection's default delay, unless it has one of its own."""
    if not response.delay and (delay[0] or delay[1]):
        response.delay = _pick_delay(delay, seed, material)
    return response


def _static(reply: Reply, status: int) -> MockResponse:
    if reply.has_json:
        body = json.dumps(reply.json, ensure_ascii=False).encode()
        ctype = reply.content_type or "application/json"
    else:
        body = reply.body or b""
        ctype = reply.content_type or "application/octet-stream"
    return MockResponse(status, body, ctype, source="rule")
