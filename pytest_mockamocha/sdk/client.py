"""``Client``: the blocking client of the management API, on ``httpx.Client``."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from os import PathLike
from types import TracebackType
from typing import Any, TypeVar

import httpx

from pytest_mockamocha.sdk import answers, calls
from pytest_mockamocha.sdk.calls import Call, Remove
from pytest_mockamocha.sdk.models import (
    ApiKey,
    Collection,
    Coverage,
    Endpoint,
    Generation,
    Import,
    JsonObject,
    JsonValue,
    Me,
    NewApiKey,
    Page,
    RequestAnalytics,
    RequestRecord,
    Rule,
    Scenario,
    Token,
)

T = TypeVar("T")
#: ``progress(sent, total)`` in bytes, called while a document uploads
Progress = Callable[[int, int], None]
#: bytes per chunk of an upload that reports progress
CHUNK = 64 * 1024
#: items asked for per page by the ``iter`` helpers
ITER_PAGE = 100


def walk(fetch: Callable[[int], Page[T]]) -> Iterator[T]:
    """Every item of every page, asking for page 1, 2, ... until the last."""
    number = 1
    while True:
        page = fetch(number)
        yield from page.items
        if not page.has_next:
            return
        number += 1


def chunks(body: bytes, progress: Progress) -> Iterator[bytes]:
    total = len(body)
    for start in range(0, total, CHUNK):
        yield body[start : start + CHUNK]
        progress(min(start + CHUNK, total), total)


class _Resource:
    def __init__(self, client: Client) -> None:
        self._client = client

    def _send(self, call: Call[T]) -> T:
        return self._client.send(call)


class Keys(_Resource):
    """``/api/keys``: the caller's API keys."""

    def create(self, name: str) -> NewApiKey:
        """A new key; its ``key`` is shown this once."""
        return self._send(calls.create_key(name))

    def list(self, *, page: int | None = None, per_page: int | None = None) -> Page[ApiKey]:
        return self._send(calls.list_keys(page, per_page))

    def iter(self, *, per_page: int = ITER_PAGE) -> Iterator[ApiKey]:
        return walk(lambda n: self.list(page=n, per_page=per_page))

    def delete(self, key_id: str) -> None:
        """Revoke a key: it stops working with the next request."""
        self._send(calls.delete_key(key_id))


class Collections(_Resource):
    """``/api/collections``: one collection per OpenAPI document."""

    def list(self, *, page: int | None = None, per_page: int | None = None) -> Page[Collection]:
        return self._send(calls.list_collections(page, per_page))

    def iter(self, *, per_page: int = ITER_PAGE) -> Iterator[Collection]:
        return walk(lambda n: self.list(page=n, per_page=per_page))

    def get(self, collection_id: str) -> Collection:
        return self._send(calls.get_collection(collection_id))

    def spec(self, collection_id: str) -> dict[str, Any]:
        """The collection's imported OpenAPI document (refs bundled, all local)."""
        return self._send(calls.collection_spec(collection_id))

    def create(
        self, name: str, *, description: str | None = None, slug: str | None = None
    ) -> Collection:
        return self._send(calls.create_collection(name, description, slug))

    def update(
        self,
        collection_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        stateful: bool | None = None,
        delay: float | Sequence[float] | Remove | None = None,
        cors: bool | None = None,
    ) -> Collection:
        """Change the given fields. ``stateful=True`` answers CRUD paths from a seeded store;
        ``delay`` (seconds or ``(min, max)``) delays every answer, ``REMOVE`` drops it.
        ``cors=False`` leaves CORS to the document (an API whose own CORS is under test)."""
        call = calls.update_collection(collection_id, name, description, stateful, delay, cors)
        return self._send(call)

    def scenarios(self, collection_id: str) -> builtins.list[Scenario]:
        """The scenarios the collection's rules name, each with its current state."""
        return self._send(calls.scenarios(collection_id))

    def set_scenario(self, collection_id: str, name: str, state: str) -> builtins.list[Scenario]:
        """Move the scenario ``name`` to ``state``; answers every scenario."""
        return self._send(calls.set_scenario(collection_id, name, state))

    def reset(self, collection_id: str) -> builtins.list[Scenario]:
        """Scenarios back to ``started``, rule sequences to their first step, the stateful
        store to its seed data; answers every scenario."""
        return self._send(calls.reset_collection(collection_id))

    def delete(self, collection_id: str) -> None:
        """Delete the collection, its endpoints and rules; its mock stops."""
        self._send(calls.delete_collection(collection_id))

    def import_spec(
        self,
        collection_id: str,
        path_or_document: str | PathLike[str] | Mapping[str, JsonValue],
        *,
        progress: Progress | None = None,
        wait: bool = True,
        wait_timeout: float = 600.0,
        background: bool = False,
    ) -> Import:
        """Import an OpenAPI document: a file path (YAML or JSON) or the parsed document.

        A large document is imported in the background (``status`` ``processing``), and
        any with ``background=True``; ``wait`` (the default) asks until it ends, for at
        most ``wait_timeout`` seconds, and raises ``ValidationError`` if it failed.
        ``wait=False`` returns at once: ``imports.get(import_id)`` tells the outcome."""
        call = calls.import_spec(collection_id, path_or_document, background)
        found = self._client.send(call, progress)
        if not wait or found.status != "processing":
            return calls.import_outcome(found) if wait else found
        deadline = time.monotonic() + wait_timeout
        while found.status == "processing":
            if time.monotonic() > deadline:
                raise calls.import_timeout(found, wait_timeout)
            time.sleep(calls.IMPORT_POLL)
            found = self._send(calls.get_import(found.import_id))
        return calls.import_outcome(found)


class Imports(_Resource):
    """``/api/imports``: outcomes of earlier imports."""

    def get(self, import_id: str) -> Import:
        return self._send(calls.get_import(import_id))


class Endpoints(_Resource):
    """``/api/endpoints``: the operations of the collections, with their traffic."""

    def list(
        self,
        *,
        collection_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        q: str | None = None,
        sort: str | None = None,
        page: int | None = None,
        per_page: int | None = None,
    ) -> Page[Endpoint]:
        return self._send(
            calls.list_endpoints(page, per_page, collection_id, method, path, q, sort)
        )

    def iter(
        self,
        *,
        collection_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        q: str | None = None,
        sort: str | None = None,
        per_page: int = ITER_PAGE,
    ) -> Iterator[Endpoint]:
        return walk(
            lambda n: self.list(
                collection_id=collection_id,
                method=method,
                path=path,
                q=q,
                sort=sort,
                page=n,
                per_page=per_page,
            )
        )

    def get(self, endpoint_id: str) -> Endpoint:
        return self._send(calls.get_endpoint(endpoint_id))

    def update(
        self, endpoint_id: str, *, name: str | None = None, description: str | None = None
    ) -> Endpoint:
        return self._send(calls.update_endpoint(endpoint_id, name, description))

    def delete(self, endpoint_id: str) -> None:
        """Delete the endpoint and its rules (the operation stays in the document)."""
        self._send(calls.delete_endpoint(endpoint_id))


class Rules(_Resource):
    """``/api/endpoints/{id}/rules``: stored response rules, live in the mock at once."""

    def list(
        self, endpoint_id: str, *, page: int | None = None, per_page: int | None = None
    ) -> Page[Rule]:
        return self._send(calls.list_rules(endpoint_id, page, per_page))

    def iter(self, endpoint_id: str, *, per_page: int = ITER_PAGE) -> Iterator[Rule]:
        return walk(lambda n: self.list(endpoint_id, page=n, per_page=per_page))

    def create(
        self,
        endpoint_id: str,
        *,
        response: JsonObject,
        match: JsonObject | None = None,
        then: Sequence[JsonObject] | None = None,
        priority: int | None = None,
        enabled: bool | None = None,
        name: str | None = None,
        scenario: str | None = None,
        state: str | None = None,
        next_state: str | None = None,
    ) -> Rule:
        """A rule answering ``response``, then each step of ``then`` in turn (a step:
        ``status``, ``headers``, one of ``json``/``body``/``example``/``generate``/
        ``template``, ``delay``, ``fault``, ``times``). With ``scenario`` it fires only
        while the scenario is in ``state`` (default ``started``) and moves it to
        ``next_state``. A rule off the operation's contract is stored with ``warnings``."""
        fields: dict[str, object] = {"response": response, "match": match, "then": then}
        fields |= {"priority": priority, "enabled": enabled, "name": name}
        fields |= {"scenario": scenario, "state": state, "next_state": next_state}
        return self._send(calls.create_rule(endpoint_id, fields))

    def get(self, endpoint_id: str, rule_id: str) -> Rule:
        return self._send(calls.get_rule(endpoint_id, rule_id))

    def update(
        self,
        endpoint_id: str,
        rule_id: str,
        *,
        response: JsonObject | None = None,
        match: JsonObject | Remove | None = None,
        then: Sequence[JsonObject] | Remove | None = None,
        priority: int | Remove | None = None,
        enabled: bool | Remove | None = None,
        name: str | Remove | None = None,
        scenario: str | Remove | None = None,
        state: str | Remove | None = None,
        next_state: str | Remove | None = None,
    ) -> Rule:
        """Change the given fields; the others stay, ``REMOVE`` removes one."""
        fields: dict[str, object] = {"response": response, "match": match, "then": then}
        fields |= {"priority": priority, "enabled": enabled, "name": name}
        fields |= {"scenario": scenario, "state": state, "next_state": next_state}
        return self._send(calls.update_rule(endpoint_id, rule_id, fields))

    def delete(self, endpoint_id: str, rule_id: str) -> None:
        self._send(calls.delete_rule(endpoint_id, rule_id))


class Generations(_Resource):
    """``/api/generations``: the latest generated data sets."""

    def get(self, generation_id: str) -> Generation:
        return self._send(calls.get_generation(generation_id))


class Requests(_Resource):
    """``/api/requests``: the latest requests the mocks answered, newest first (bounded)."""

    def list(
        self,
        *,
        collection_id: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        test: str | None = None,
        page: int | None = None,
        per_page: int | None = None,
    ) -> Page[RequestRecord]:
        """Filters: a collection, an operation (``"GET /pets/{petId}"``), a status, a test id."""
        call = calls.list_requests(page, per_page, collection_id, operation, status, test)
        return self._send(call)

    def iter(
        self,
        *,
        collection_id: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        test: str | None = None,
        per_page: int = ITER_PAGE,
    ) -> Iterator[RequestRecord]:
        return walk(
            lambda n: self.list(
                collection_id=collection_id,
                operation=operation,
                status=status,
                test=test,
                page=n,
                per_page=per_page,
            )
        )


class Analytics(_Resource):
    """``/api/analytics``: mock traffic."""

    def requests(
        self, time_period: str = "30d", collection_id: str | None = None
    ) -> RequestAnalytics:
        """Totals, requests per day and the busiest endpoints (``24h``/``7d``/``30d``/``90d``)."""
        return self._send(calls.request_analytics(time_period, collection_id))


class Client:
    """A client of one MockaMocha server's management API.

    ``token`` is a JWT (see ``login``) or an API key; ``api_key`` is the same thing under
    its own name. Every request is bounded by ``timeout`` seconds; failures raise an
    ``ApiError`` subclass or a ``TransportError``. Use it as a context manager, or
    ``close()`` it.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        api_key: str | None = None,
        timeout: float = 10.0,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token or api_key
        self._http = httpx.Client(
            base_url=self.base_url, timeout=httpx.Timeout(timeout), transport=transport
        )
        self.keys = Keys(self)
        self.collections = Collections(self)
        self.imports = Imports(self)
        self.endpoints = Endpoints(self)
        self.rules = Rules(self)
        self.generations = Generations(self)
        self.analytics = Analytics(self)
        self.requests = Requests(self)

    def send(self, call: Call[T], progress: Progress | None = None) -> T:
        """Send one ``Call`` and read its answer (the other methods all end here)."""
        headers = answers.headers(call, self.token)
        content: bytes | Iterator[bytes] | None = call.body
        if progress is not None and call.body is not None:
            headers["Content-Length"] = str(len(call.body))
            content = chunks(call.body, progress)
        try:
            response = self._http.request(
                call.method, call.path, params=call.params, content=content, headers=headers
            )
        except httpx.HTTPError as exc:
            raise answers.transport_error(exc, self.base_url) from exc
        return answers.read(call, response)

    def health(self) -> dict[str, JsonValue]:
        """``GET /api/health`` (no auth): ``{"status": "ok", "collections": [...]}``."""
        return self.send(calls.health())

    def login(self, email: str, password: str) -> Token:
        """Log in; the client uses the new token for every later request."""
        token = self.send(calls.login(email, password))
        self.token = token.access_token
        return token

    def coverage(
        self, collection_id: str | None = None, *, time_period: str | None = None
    ) -> Coverage:
        """Request coverage of the workspace's collections (or of one), as the reports."""
        return self.send(calls.coverage(collection_id, time_period))

    def me(self) -> Me:
        return self.send(calls.me())

    def generate_data(
        self,
        endpoint_id: str,
        *,
        count: int | None = None,
        custom_fields: Mapping[str, JsonValue] | None = None,
        seed: int | None = None,
        status_code: int | None = None,
        locale: str | None = None,
    ) -> Generation:
        """Records generated from the endpoint's response schema (same seed, same records)."""
        fields: dict[str, object] = {"count": count, "custom_fields": custom_fields, "seed": seed}
        fields |= {"status_code": status_code, "locale": locale}
        return self.send(calls.generate_data(endpoint_id, fields))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.base_url!r}, authenticated={self.token is not None})"


__all__ = ["Client"]
