"""The order in which a mock answers a request, in one function: ``answer``.

    0. no operation matches: 404 (405 with ``Allow``), naming the nearest operations
    1. the request breaks the contract: 401, or 400 / the spec's 422, naming each violation
    2. the test's or the store's rule whose matchers all match (priority, newest first)
    3. proxy mode: the real API (its drift from the spec journaled as violations)
    4. stateful mode: the resource store
    5. a data set attached through the API
    6. the spec: the ``Prefer`` header, the declared example, generated data

Every step past 2 adds the collection's default delay. ``answer`` returns a small
``Answer`` value; the engine journals it and hands its response to the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_mockamocha.engine.collection import Collection
from pytest_mockamocha.engine.exchange import MockRequest, MockResponse
from pytest_mockamocha.engine.respond.reply import Reply, delayed, render, template_drift
from pytest_mockamocha.engine.respond.responder import NotAcceptable, Prefer
from pytest_mockamocha.engine.router import RouteMatch, RouteMiss
from pytest_mockamocha.engine.rules.book import Rule, RuleBook
from pytest_mockamocha.engine.rules.matchers import MatchContext
from pytest_mockamocha.engine.validate.violations import Violation
from pytest_mockamocha.generate import GenerationError


@dataclass(frozen=True, slots=True)
class Answer:
    """What the precedence decided for one request."""

    response: MockResponse
    #: what breaks the contract: the request's violations, or the drift of the answer
    violations: tuple[Violation, ...] = ()
    #: for the journal: the nearest rule and why it missed, or the fault acted out
    note: str = ""
    #: the operation that answered, when it is not the one routed (templates of one shape)
    route: RouteMatch | None = None


@dataclass(frozen=True, slots=True)
class _Asked:
    """One routed request, with what every step needs to build its answer."""

    coll: Collection
    route: RouteMatch
    request: MockRequest
    seed: int
    accept: str | None
    #: what seeds generated answers: the same request gets the same answer
    material: str


def answer(
    coll: Collection,
    rules: RuleBook,
    route: RouteMatch | RouteMiss,
    request: MockRequest,
    seed: int,
) -> Answer:
    """The answer to ``request`` for ``coll``, by the precedence above."""
    if isinstance(route, RouteMiss):
        return Answer(_missed(coll, request, route))
    asked = _Asked(
        coll,
        route,
        request,
        seed,
        request.headers.get("Accept"),
        f"{request.method}|{request.path}|{sorted(request.query.items(multi=True))}",
    )
    violations = _violations(asked)
    rerouted = None
    if violations:  # another operation of the same shape may be the one meant
        for other in coll.router.alternatives(route):
            again = _Asked(coll, other, request, seed, asked.accept, asked.material)
            if not _violations(again):
                asked, route, violations, rerouted = again, other, [], other
                break
    found = _answer(asked, rules, violations)
    if rerouted is None:
        return found
    return Answer(found.response, found.violations, found.note, rerouted)


def _answer(asked: _Asked, rules: RuleBook, violations: list[Violation]) -> Answer:
    """``answer`` for a routed request and the violations found."""
    coll, route, request, seed = asked.coll, asked.route, asked.request, asked.seed
    op = route.operation
    try:
        if violations:
            rejected = coll.responder.rejection(
                op, violations, accept=asked.accept, seed=seed, material=asked.material
            )
            return Answer(rejected, tuple(violations))
        ctx = MatchContext(
            route.path_params, request.query, request.headers, request.cookies, request.body
        )
        chosen = rules.select(coll.slug, op.name, ctx)
        if chosen.rule is not None and chosen.reply is not None:
            return _ruled(asked, chosen.rule, chosen.reply, rules.hits(chosen.rule.id))
        note = ""
        if chosen.nearest is not None:
            note = f"nearest rule {chosen.nearest.id}: {'; '.join(chosen.reasons)}"
        return _unruled(asked, note)
    except NotAcceptable as exc:
        detail = (
            f"{op.name} declares {', '.join(exc.offered)} for this answer; the request's "
            f"Accept ({asked.accept}) rules out every one"
        )
        refused = Violation("header", "Accept", detail)
        return Answer(coll.responder.problem(406, "Not Acceptable", detail), (refused,))
    except GenerationError as exc:
        title = "Cannot generate a valid response"
        return Answer(coll.responder.problem(500, title, f"{op.name}: {exc}"))


def _violations(asked: _Asked) -> list[Violation]:
    request = asked.request
    return asked.coll.validator.request(
        asked.route.operation,
        request.method,
        asked.route.path_params,
        request.query,
        request.headers,
        request.cookies,
        request.body,
        request.headers.get("Content-Type", ""),
    )


def _ruled(asked: _Asked, rule: Rule, reply: Reply, hits: int) -> Answer:
    """Step 2: the rule's reply, with a template's drift from the contract."""
    coll, op = asked.coll, asked.route.operation
    response = render(
        coll.responder,
        op,
        reply,
        accept=asked.accept,
        seed=asked.seed,
        material=f"{asked.material}|{rule.id}|{hits}",
        request=asked.request,
        path_params=asked.route.path_params,
        default_delay=coll.delay,
    )
    drift = template_drift(coll.responder, op, reply, response)
    response.source, response.rule_id = "rule", rule.id
    return Answer(response, tuple(drift), f"fault: {response.fault}" if response.fault else "")


def _unruled(asked: _Asked, note: str) -> Answer:
    """Steps 3-6: the upstream, the resource store, a data set, then the spec."""
    coll, route, request = asked.coll, asked.route, asked.request
    op = route.operation
    if coll.upstream is not None:  # drift is journaled as the request's violations
        response, drift = coll.upstream.exchange(op, route.path_params, request)
        return Answer(response, tuple(drift), note)
    found: MockResponse | None = None
    if coll.state is not None:
        found = coll.state.answer(
            op,
            route.path_params,
            request,
            accept=asked.accept,
            seed=asked.seed,
            material=asked.material,
        )
    dataset = coll.datasets.get(op.name)
    if found is None and dataset is not None:
        found = coll.responder.from_dataset(
            op,
            dataset,
            route.path_params,
            request.query,
            accept=asked.accept,
            seed=asked.seed,
            material=asked.material,
        )
    if found is None:
        found = coll.responder.from_spec(
            op,
            accept=asked.accept,
            seed=asked.seed,
            material=asked.material,
            prefer=Prefer.parse(request.headers.get("Prefer")),
        )
    return Answer(delayed(found, coll.delay, asked.seed, asked.material), (), note)


def _missed(coll: Collection, request: MockRequest, route: RouteMiss) -> MockResponse:
    """Step 0: no operation of the collection has this path (404) or method (405)."""
    responder, nearest = coll.responder, route.nearest
    hint = f"; nearest: {', '.join(nearest)}" if nearest else ""
    if route.status == 405:
        allowed = ", ".join(route.allowed)
        response = responder.problem(
            405,
            "Method Not Allowed",
            f"{request.method} is not declared for {request.path} in {coll.slug!r} "
            f"(allowed: {allowed}){hint}",
            nearest=list(nearest),
        )
        response.headers.append(("Allow", allowed))
    else:
        response = responder.problem(
            404,
            "No such operation",
            f"{request.describe()} matches no operation of {coll.slug!r}{hint}",
            nearest=list(nearest),
        )
    response.source = "unmatched"
    return response
