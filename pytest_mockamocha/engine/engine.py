"""The mock engine: request in, response out, every exchange journaled.

It knows nothing of sockets or pytest: the server hands it ``MockRequest`` values and
acts out the ``MockResponse`` it returns; the plugin tells it which test is running.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pytest_mockamocha._ids import SequentialIds
from pytest_mockamocha.analytics.journal import Journal, RequestRecord
from pytest_mockamocha.engine.collection import Collection, ResourceState, Upstream
from pytest_mockamocha.engine.exchange import MockRequest, MockResponse
from pytest_mockamocha.engine.precedence import answer
from pytest_mockamocha.engine.respond.reply import Delay
from pytest_mockamocha.engine.router import RouteMatch, RouteMiss
from pytest_mockamocha.engine.rules.book import RuleBook
from pytest_mockamocha.errors import CollectionNotFoundError
from pytest_mockamocha.spec.model import ApiSpec

TEST_HEADER = "X-MockaMocha-Test"
#: puts back what a mode change changed (the fixture keeps them until its test ends)
Undo = Callable[[], None]
_PROBLEMS_PER_TEST = 200


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
        #: lazy serving (a team server): how a slug not mounted is loaded, how many
        #: compiled collections stay, and which were used last (oldest first)
        self._load: Callable[[str], bool] | None = None
        #: replicas: whether another server changed a mounted collection since it was mounted
        self._stale: Callable[[str], bool] | None = None
        self._keep = 0
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._pinned: set[str] = set()
        self._loading = threading.RLock()

    def serve_lazily(
        self, load: Callable[[str], bool], keep: int, stale: Callable[[str], bool] | None = None
    ) -> None:
        """Mount a collection on its first use: ``load(slug)`` mounts it if it is stored
        (True) or not (False). At most ``keep`` collections stay compiled; the least
        recently used one goes first, when no state lives only in memory (see
        ``_evictable``): memory stays bounded however many collections are stored.

        With ``stale`` (replicas sharing a store), a mounted collection that another
        replica changed (``stale(slug)``) is loaded again before it is used."""
        self._load, self._keep, self._stale = load, max(1, keep), stale

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

    def mount(self, spec: ApiSpec, slug: str | None = None, *, replace: bool = False) -> Collection:
        """Mount ``spec`` ready to serve at once (built now, not on the first request).

        With ``replace``, what is mounted as ``slug`` goes first (its rules with it), so
        the document is served under exactly that slug."""
        if replace and slug is not None:
            self.remove(slug)
        coll = self.add(spec, slug)
        coll.warm()
        return coll

    def remove(self, slug: str) -> None:
        """Unmount a collection and forget its rules."""
        with self._lock:
            self._collections.pop(slug, None)
            self._recent.pop(slug, None)
        for rule in self.rules.rules(collection=slug):
            self.rules.remove(rule.id)

    def collection(self, slug: str) -> Collection:
        """The collection mounted as ``slug``."""
        coll = self._collections.get(slug)
        if coll is None:
            coll = self._loaded(slug)
            if coll is None:
                raise CollectionNotFoundError(slug, sorted(self._collections))
        else:
            if self._stale is not None and self._stale(slug):
                fresh = self._reloaded(slug)
                if fresh is None:  # deleted by another replica
                    raise CollectionNotFoundError(slug, sorted(self._collections))
                coll = fresh
            if slug in self._recent:
                with contextlib.suppress(KeyError):  # removed meanwhile by another thread
                    self._recent.move_to_end(slug)
        return coll

    def answers_at_once(self, slug: str) -> bool:
        """Whether a request to ``slug`` is answered from this process's memory alone (see
        ``in_memory``). Such an answer may be computed on the server's loop thread; it may
        still wait (a delay), which the server hands to a worker thread."""
        return self.in_memory(slug) is not None

    def in_memory(self, slug: str) -> Collection | None:
        """The collection ``slug`` when a request to it is answered from this process's
        memory alone, else None; never loads. It is mounted (no compile), no replica shares
        the store (no staleness read, rule hits and state held here) and it forwards nothing
        to an upstream."""
        coll = self._collections.get(slug)
        if coll is None or coll.upstream is not None:
            return None
        if self._stale is not None or self.rules.shared is not None:
            return None
        if slug in self._recent:  # used now: the last the LRU unmounts, as ``collection``
            with contextlib.suppress(KeyError):  # removed meanwhile by another thread
                self._recent.move_to_end(slug)
        return coll

    def _reloaded(self, slug: str) -> Collection | None:
        """The collection ``slug`` mounted again from the store (another replica changed it)."""
        load, stale = self._load, self._stale
        assert load is not None
        assert stale is not None
        with self._loading:
            if stale(slug):
                load(slug)
            return self._collections.get(slug)

    def reloadable(self, slug: str) -> None:
        """Mark a mounted collection as one the lazy loader can mount again from the store,
        so it may be unmounted while unused (nothing happens without ``serve_lazily``)."""
        if self._load is None:
            return
        with self._loading:
            with self._lock:
                if slug in self._collections and slug not in self._pinned:
                    self._recent[slug] = None
                    self._recent.move_to_end(slug)
            self._evict(keep=slug)

    def pin(self, slug: str) -> None:
        """Keep a collection compiled for good: something outside the store (a rule file,
        a document's own rules) lives in it."""
        with self._lock:
            self._pinned.add(slug)
            self._recent.pop(slug, None)

    def _loaded(self, slug: str) -> Collection | None:
        """The collection ``slug`` mounted by the lazy loader (one load at a time, so two
        first requests compile it once; the loader's mount unmounts the least recently used
        ones past ``keep``)."""
        if self._load is None:
            return None
        with self._loading:
            coll = self._collections.get(slug)
            if coll is None and self._load(slug):
                coll = self._collections.get(slug)
        return coll

    def _evict(self, keep: str) -> None:
        for slug in list(self._recent):
            if len(self._recent) <= self._keep:
                return
            coll = self._collections.get(slug)
            if slug != keep and coll is not None and self._evictable(coll):
                self.remove(slug)

    def _evictable(self, coll: Collection) -> bool:
        """Whether unmounting loses nothing the store cannot give back: no proxy or test
        data, and unless the store is shared, no stateful records and no rule that has
        answered (its place in a sequence lives in memory then)."""
        if self.rules.shared is not None:  # hits and stateful records live in the store
            return coll.upstream is None and not coll.datasets
        if coll.state is not None or coll.upstream is not None or coll.datasets:
            return False
        return not any(self.rules.hits(rule.id) for rule in self.rules.rules(coll.slug))

    def find_source(self, source: str) -> Collection | None:
        """The collection loaded from ``source`` (a spec path), if any."""
        return next((c for c in self._collections.values() if c.spec.source == source), None)

    def __iter__(self) -> Iterator[Collection]:
        return iter(list(self._collections.values()))

    # -- modes: the only way a collection's behaviour changes; each change returns its undo
    def set_state(self, slug: str, state: ResourceState | None) -> Undo:
        """Stateful mode on (a ``ResourceState``) or off (None)."""
        return self._swap(slug, "state", lambda _: state)

    def set_upstream(self, slug: str, upstream: Upstream | None) -> Undo:
        """Proxy mode on (an ``Upstream``) or off (None)."""
        return self._swap(slug, "upstream", lambda _: upstream)

    def set_delay(self, slug: str, delay: Delay) -> Undo:
        """The delay of every answer that has none of its own: (seconds, None) or a range."""
        return self._swap(slug, "delay", lambda _: delay)

    def attach(self, slug: str, operations: Iterable[str], records: list[Any]) -> Undo:
        """Serve ``records`` from these operations instead of generated data."""
        names = list(operations)
        return self._swap(slug, "datasets", lambda now: {**now, **dict.fromkeys(names, records)})

    def set_cors(self, slug: str, enabled: bool) -> Undo:
        """Whether the server answers CORS for the collection (off: its own ``OPTIONS``
        operations and headers are what browsers meet)."""
        return self._swap(slug, "cors", lambda _: enabled)

    def withdraw(self, slug: str, operations: Iterable[str]) -> Undo:
        """Stop serving these operations (they answer 404 as if undeclared)."""
        names = set(operations)
        return self._swap(slug, "withdrawn", lambda now: now | names)

    def _swap(self, slug: str, name: str, change: Callable[[Any], object]) -> Undo:
        """Set one mode of a collection to ``change(current)``, under the lock; the undo
        puts the value back on that collection (a later remount is left alone)."""
        coll = self.collection(slug)
        with self._lock:
            previous = getattr(coll, name)
            setattr(coll, name, change(previous))

        def undo() -> None:
            with self._lock:
                setattr(coll, name, previous)

        return undo

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

    def forgive(self, ids: Iterable[str]) -> None:
        """Take requests off the running test's problems: the test meant them to be refused
        (they stay in the journal)."""
        gone = set(ids)
        problems = self._context.problems
        for record in [r for r in problems if r.id in gone]:
            problems.remove(record)  # one by one: a server thread may append meanwhile
        self.journal.expected |= gone

    # -- requests ------------------------------------------------------------------------
    def handle(
        self, slug: str, request: MockRequest, coll: Collection | None = None
    ) -> MockResponse:
        """Answer one request to collection ``slug`` and journal it; ``coll`` is that
        collection when the caller has looked it up already (it is not looked up again)."""
        started = time.perf_counter_ns()
        request_id = self._record_ids.next()
        if coll is None:
            coll = self.collection(slug)
        context = self._context
        seed = context.seed if context.seed is not None else self.seed
        route = coll.router.match(
            request.route_path or request.path, request.method, request.query, request.headers
        )
        if isinstance(route, RouteMatch) and route.operation.name in coll.withdrawn:
            route = RouteMiss(404, nearest=coll.router.nearest(request.method, request.path))
        answered = answer(coll, self.rules, route, request, seed)
        if answered.route is not None:
            route = answered.route  # another operation of the same shape was the one meant
        response = answered.response
        sent: tuple[str, ...] = ()
        if isinstance(route, RouteMatch):
            op_name: str | None = route.operation.name
            optional = coll.optional_params(route.operation)
            if optional:
                sent = _sent(optional, request)
            nearest: tuple[str, ...] = ()
        else:
            op_name, nearest = None, route.nearest
        response.request_id = request_id
        failed = op_name is None or bool(answered.violations)
        if not self.record and not failed:
            return response
        record = RequestRecord(
            id=request_id,
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
            violations=tuple(map(str, answered.violations)) if answered.violations else (),
            nearest=nearest,
            note=answered.note,
            params=sent,
        )
        if self.record:
            self.journal.append(record)
        if failed and len(context.problems) < _PROBLEMS_PER_TEST:
            context.problems.append(record)
        return response


def _sent(optional: tuple[tuple[str, str, str], ...], request: MockRequest) -> tuple[str, ...]:
    """The names of the optional parameters ``request`` carried."""
    return tuple(
        label
        for where, name, label in optional
        if (request.query if where == "query" else request.headers).get(name) is not None
    )
