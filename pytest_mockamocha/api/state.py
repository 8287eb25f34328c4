"""What every handler works with: the store, the engine's catalog, tokens, the caller."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request

from pytest_mockamocha.analytics.exchanges import Exchanges
from pytest_mockamocha.api.catalog import Catalog
from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.api.importjobs import ImportJobs
from pytest_mockamocha.api.security import LoginThrottle, SharedLoginThrottle, Tokens
from pytest_mockamocha.api.sessions import Sessions
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.store import HEAVY, Query, Record, Store


@dataclass
class ApiState:
    """Shared by all requests of one server."""

    store: Store
    engine: Engine
    tokens: Tokens
    catalog: Catalog
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    #: the last mock exchanges in full (headers, bodies), for the dashboard
    exchanges: Exchanges = field(default_factory=Exchanges)
    #: the dashboard's cookie sessions, signed with the tokens' secret
    sessions: Sessions = field(init=False)
    #: imports that finish in the background (made on first use)
    _imports: ImportJobs | None = field(default=None, repr=False)
    #: what a request's host URL is made of -> that URL (see ``base_url``)
    _bases: dict[tuple[Any, ...], str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.sessions = Sessions(self.tokens.secret, self.store)
        if self.store.shared is not None:  # replicas: one throttle for all of them
            self.throttle = SharedLoginThrottle(self.store.shared)

    def base_url(self, request: Request) -> str:
        """``request.host_url`` without its trailing slash, built once per scheme, Host
        header and server address (all werkzeug builds it from, through urllib's IRI
        conversion: ~25 us of every view of a collection). At most 64 are kept (the Host
        header is the client's to choose)."""
        environ = request.environ
        key = (
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
        )
        found = self._bases.get(key)
        if found is None:
            if len(self._bases) >= 64:
                self._bases.clear()
            found = self._bases[key] = request.host_url.rstrip("/")
        return found

    @property
    def imports(self) -> ImportJobs:
        """The background imports of this server."""
        if self._imports is None:
            self._imports = ImportJobs(self.catalog)
        return self._imports


@dataclass
class Call:
    """One request being answered: who asks, what for, and the shared state."""

    state: ApiState
    request: Request
    args: Mapping[str, Any]
    request_id: str
    user: Record | None = None

    @property
    def store(self) -> Store:
        return self.state.store

    @property
    def me(self) -> Record:
        """The authenticated user (routes that need one are never public)."""
        assert self.user is not None
        return self.user

    @property
    def workspace(self) -> str:
        return str(self.me["workspace_id"])

    def mock_url(self, slug: str) -> str:
        return f"{self.state.base_url(self.request)}/mocks/{slug}"

    def require_admin(self) -> None:
        if not self.me.get("is_admin"):
            raise ApiError(403, "only administrators may do this")

    # -- ownership: another workspace's things answer 404, never 403 ------------------
    def collection(self, coll_id: str, *, document: bool = False) -> Record:
        """The caller's collection ``coll_id``; its stored document (megabytes, for some)
        is read only when ``document`` asks for it."""
        coll = self.store.collections.get(coll_id, () if document else HEAVY["collections"])
        if coll is None or coll.get("workspace_id") != self.workspace:
            raise ApiError(404, f"no collection {coll_id!r}")
        return coll

    def collections_among(self, slugs: Iterable[str]) -> dict[str, str]:
        """slug -> id of the caller's collections among ``slugs`` (those the journal has
        traffic for, say): read by the slug index, however many collections the workspace
        has (asked for the workspace too, SQLite's planner would read all of its)."""
        named = Query(within={"slug": list(slugs)}, omit=HEAVY["collections"])
        found = self.store.collections.select(named)
        return {c["slug"]: c["id"] for c in found if c.get("workspace_id") == self.workspace}

    def endpoint(self, endpoint_id: str) -> tuple[Record, Record]:
        """The endpoint and its collection."""
        endpoint = self.store.endpoints.get(endpoint_id)
        light = HEAVY["collections"]  # its document is not needed, however large
        owner = None if endpoint is None else endpoint["collection_id"]
        coll = None if owner is None else self.store.collections.get(owner, light)
        if endpoint is None or coll is None or coll.get("workspace_id") != self.workspace:
            raise ApiError(404, f"no endpoint {endpoint_id!r}")
        return endpoint, coll

    def rule(self, endpoint: Record, rule_id: str) -> Record:
        rule = self.store.rules.get(rule_id)
        if rule is None or rule.get("endpoint_id") != endpoint["id"]:
            raise ApiError(404, f"no rule {rule_id!r} on endpoint {endpoint['id']!r}")
        return rule
