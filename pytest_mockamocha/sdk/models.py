"""Typed results of the management API: frozen dataclasses named for what they hold.

Field names are those of the API's JSON; times stay ISO 8601 UTC strings (``...Z``) as the
server sends them. Fields the server adds later are ignored, so an older SDK keeps working.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

#: Any JSON value (object, array, string, number, boolean or null), as ``json`` reads it.
JsonValue = Any
#: A JSON object.
JsonObject = dict[str, JsonValue]

T = TypeVar("T")
M = TypeVar("M", bound="_Model")


class _Model:
    """``from_json`` for a flat dataclass: every field read by name, extras ignored."""

    @classmethod
    def from_json(cls: type[M], data: Mapping[str, JsonValue]) -> M:
        names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
        return cls(**{name: data.get(name) for name in names})


@dataclass(frozen=True, slots=True)
class User(_Model):
    """The user in a login answer."""

    id: str
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class Me(_Model):
    """The caller (``GET /api/auth/me``)."""

    id: str
    email: str
    name: str
    is_admin: bool
    workspace_id: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Token:
    """A login answer; the client keeps ``access_token`` for its next requests."""

    access_token: str
    token_type: str
    expires_in: int
    user: User

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> Token:
        return cls(
            access_token=data["access_token"],
            token_type=data["token_type"],
            expires_in=data["expires_in"],
            user=User.from_json(data["user"]),
        )


@dataclass(frozen=True, slots=True)
class ApiKey(_Model):
    """An API key as listed: never the key itself."""

    id: str
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None


@dataclass(frozen=True, slots=True)
class NewApiKey(_Model):
    """A key just created: ``key`` is shown this once."""

    id: str
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None
    key: str


@dataclass(frozen=True, slots=True)
class Collection(_Model):
    """One API collection (one OpenAPI document, mocked under ``mock_url``)."""

    id: str
    name: str
    description: str
    slug: str
    mock_url: str
    endpoints_count: int
    #: the mock answers CRUD paths from a seeded resource store
    stateful: bool
    #: the default delay of every answer: seconds, ``[min, max]`` or None
    delay: float | list[float] | None
    #: the server answers browsers' CORS preflights for the mocks (off: the document's own
    #: ``OPTIONS`` operations and headers are what a browser meets)
    cors: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Scenario(_Model):
    """One scenario of a collection's rules and the state it is in (``started`` at first)."""

    name: str
    state: str


def scenarios_of(data: Mapping[str, JsonValue]) -> list[Scenario]:
    """The ``{"scenarios": [...]}`` answer of the scenario calls."""
    return [Scenario.from_json(entry) for entry in data["scenarios"]]


@dataclass(frozen=True, slots=True)
class Import(_Model):
    """The outcome of importing a document into a collection."""

    import_id: str
    status: str
    endpoints_created: int
    endpoints_updated: int
    endpoints_removed: int
    message: str
    collection_id: str
    created_at: str
    #: how far a background import has come: queued, loading, saving, completed, failed
    stage: str | None = None
    #: why a failed import failed, one entry per problem
    errors: list[str] | None = None
    #: when it ended (None while it is processing)
    finished_at: str | None = None


@dataclass(frozen=True, slots=True)
class Endpoint(_Model):
    """One operation of a collection, with its traffic."""

    id: str
    method: str
    path: str
    name: str
    description: str
    operation: str
    operation_id: str | None
    collection_id: str
    response_rules_count: int
    requests_count: int
    last_request_at: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class Rule(_Model):
    """A stored response rule: ``match``, ``response`` and ``then`` in the API's JSON form."""

    id: str
    endpoint_id: str
    name: str
    match: JsonObject
    response: JsonObject
    then: list[JsonObject]
    priority: int
    enabled: bool
    scenario: str | None
    state: str | None
    next_state: str | None
    hits: int
    warnings: list[str]
    created_at: str
    updated_at: str

    def form(self) -> JsonObject:
        """The rule as the API and rule files spell it (for copying it elsewhere)."""
        out: JsonObject = {
            "name": self.name,
            "match": self.match,
            "response": self.response,
            "priority": self.priority,
            "enabled": self.enabled,
        }
        if self.then:
            out["then"] = list(self.then)
        for key in ("scenario", "state", "next_state"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True, slots=True)
class Generation(_Model):
    """Records generated from an endpoint's response schema."""

    generation_id: str
    status: str
    records_generated: int
    data_preview: list[JsonValue]
    records: list[JsonValue]
    endpoint_id: str
    seed: int
    locale: str


@dataclass(frozen=True, slots=True)
class DayCount(_Model):
    """Requests on one day (``YYYY-MM-DD``)."""

    date: str
    count: int


@dataclass(frozen=True, slots=True)
class TopEndpoint(_Model):
    """One of the busiest endpoints; ``avg_response_time`` in milliseconds."""

    endpoint_id: str | None
    path: str
    method: str
    requests_count: int
    avg_response_time: float


@dataclass(frozen=True, slots=True)
class RequestAnalytics:
    """Mock traffic of the workspace over ``time_period``."""

    total_requests: int
    unique_endpoints: int
    time_period: str
    requests_by_day: tuple[DayCount, ...]
    top_endpoints: tuple[TopEndpoint, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> RequestAnalytics:
        return cls(
            total_requests=data["total_requests"],
            unique_endpoints=data["unique_endpoints"],
            time_period=data["time_period"],
            requests_by_day=tuple(DayCount.from_json(d) for d in data["requests_by_day"]),
            top_endpoints=tuple(TopEndpoint.from_json(t) for t in data["top_endpoints"]),
        )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its ``items`` and where it stands (``total`` across pages)."""

    items: tuple[T, ...]
    total: int
    page: int
    per_page: int

    @property
    def has_next(self) -> bool:
        """Whether a later page holds more items."""
        return bool(self.items) and self.page * self.per_page < self.total

    @classmethod
    def from_json(
        cls, data: Mapping[str, JsonValue], key: str, item: Callable[[Mapping[str, Any]], T]
    ) -> Page[T]:
        return cls(
            items=tuple(item(entry) for entry in data[key]),
            total=data["total"],
            page=data["page"],
            per_page=data["per_page"],
        )


@dataclass(frozen=True, slots=True)
class RequestRecord(_Model):
    """One request a mock answered (``GET /api/requests``), newest first."""

    id: str
    timestamp: str
    collection_id: str
    collection: str
    operation: str | None
    method: str
    path: str
    query: str
    status: int
    response_time_ms: float
    source: str
    test: str | None
    rule_id: str | None
    violations: list[str]
    params: list[str]


@dataclass(frozen=True, slots=True)
class Ratio(_Model):
    """``hit`` of ``declared``, and the ``percent`` (0-100)."""

    hit: int
    declared: int
    percent: float


@dataclass(frozen=True, slots=True)
class OperationCoverage(_Model):
    """How one operation was exercised."""

    name: str
    operation_id: str | None
    deprecated: bool
    hits: int
    valid_hits: int
    avg_response_ms: float
    statuses: dict[str, int]
    declared_statuses: list[str]
    statuses_hit: list[str]
    statuses_missing: list[str]
    undeclared_statuses: list[str]
    params_declared: list[str]
    params_sent: list[str]
    params_missing: list[str]


@dataclass(frozen=True, slots=True)
class CollectionCoverage:
    """Request coverage of one collection."""

    slug: str
    title: str
    requests: int
    violations: int
    unmatched: int
    operations: Ratio
    responses: Ratio
    parameters: Ratio
    uncovered: tuple[str, ...]
    deprecated: tuple[JsonObject, ...]
    operation_list: tuple[OperationCoverage, ...]
    problems: tuple[str, ...]
    warnings: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> CollectionCoverage:
        return cls(
            slug=data["slug"],
            title=data["title"],
            requests=data["requests"],
            violations=data["violations"],
            unmatched=data["unmatched"],
            operations=Ratio.from_json(data["operations"]),
            responses=Ratio.from_json(data["responses"]),
            parameters=Ratio.from_json(data["parameters"]),
            uncovered=tuple(data["uncovered"]),
            deprecated=tuple(data["deprecated"]),
            operation_list=tuple(OperationCoverage.from_json(o) for o in data["operation_list"]),
            problems=tuple(data["problems"]),
            warnings=tuple(data["warnings"]),
        )


@dataclass(frozen=True, slots=True)
class Coverage:
    """``GET /api/analytics/coverage``: the report model of docs/reports.md (``raw``)."""

    requests: int
    violations: int
    unmatched: int
    operations: Ratio
    collections: tuple[CollectionCoverage, ...]
    #: the whole answer as sent (``schema``, ``version``, ``totals``, ``collections``, ``tests``)
    raw: JsonObject

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> Coverage:
        totals = data["totals"]
        return cls(
            requests=totals["requests"],
            violations=totals["violations"],
            unmatched=totals["unmatched"],
            operations=Ratio.from_json(totals["operations"]),
            collections=tuple(CollectionCoverage.from_json(c) for c in data["collections"]),
            raw=dict(data),
        )
