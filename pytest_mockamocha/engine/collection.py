"""One mounted API document and the parts built for it, lazily: index, router, validator,
responder; plus the modes that change how it answers (stateful, proxy, delay, data sets,
withdrawn operations), which only ``Engine`` methods change.

The two seams of the answer pipeline are Protocols here: ``ResourceState`` (stateful
mode, ``engine/stateful/``) and ``Upstream`` (the proxy, which lives in the server layer
because it opens sockets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from pytest_mockamocha.engine.exchange import MockRequest, MockResponse
from pytest_mockamocha.engine.respond.responder import Responder
from pytest_mockamocha.engine.router import Router
from pytest_mockamocha.engine.validate.fastcheck import FastRequestCheck
from pytest_mockamocha.engine.validate.violations import ContractValidator, Violation
from pytest_mockamocha.spec.index import OperationIndex
from pytest_mockamocha.spec.model import ApiSpec, Operation


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
    """One API mounted at ``/mocks/{slug}``: its spec, router, validator and responder.

    The modes below are read by every request and changed only through ``Engine``
    methods (``set_state``, ``set_upstream``, ``set_delay``, ``attach``, ``withdraw``),
    each of which returns its undo: that is how a test's changes end with the test."""

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
    #: the server answers CORS for this collection (off: its own OPTIONS operations and
    #: headers are what a browser meets, for APIs whose CORS behaviour is under test)
    cors: bool = True

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
        responder = self.responder
        fast = FastRequestCheck(self.spec.document, lambda: responder.generator)
        return ContractValidator(self.spec, fast=fast)

    @cached_property
    def responder(self) -> Responder:
        """Spec-derived responses."""
        return Responder(self.spec)

    @cached_property
    def _optional(self) -> dict[str, tuple[tuple[str, str, str], ...]]:
        return {}

    def optional_params(self, op: Operation) -> tuple[tuple[str, str, str], ...]:
        """(location, name, "location.name") of ``op``'s optional query and header params,
        worked out on first use (reading an operation's parameters builds them)."""
        found = self._optional.get(op.name)
        if found is None:
            found = self._optional[op.name] = tuple(
                (p.location, p.name, f"{p.location}.{p.name}")
                for p in op.parameters
                if not p.required and p.location in ("query", "header")
            )
        return found

    def warm(self) -> None:
        """Build what the first request would otherwise build (what one operation needs is
        built when it is first asked for)."""
        _ = self.index, self.router, self.validator, self.responder

    def operation(self, name: str) -> Operation:
        """The operation called ``name`` (``"GET /pets/{id}"`` or an operationId)."""
        return self.index.get(name)
