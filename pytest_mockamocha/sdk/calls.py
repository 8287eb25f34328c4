"""Every call of the management API as a plain description, shared by both clients.

A ``Call`` says what to send and how to read the answer; ``Client`` and ``AsyncClient``
only differ in how they send it. Nothing here does I/O.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from pytest_mockamocha.sdk.errors import Timeout, ValidationError
from pytest_mockamocha.sdk.models import (
    ApiKey,
    Collection,
    Coverage,
    Endpoint,
    Generation,
    Import,
    JsonValue,
    Me,
    NewApiKey,
    Page,
    RequestAnalytics,
    RequestRecord,
    Rule,
    Scenario,
    Token,
    scenarios_of,
)

T = TypeVar("T")
Params = dict[str, str | int]
_SUFFIX_TYPES = {
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".json": "application/json",
}


class Remove:
    """The type of ``REMOVE``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "REMOVE"


#: Passed for a field of an update, removes the field (sends JSON ``null``); ``None``
#: leaves the field as it is.
REMOVE = Remove()


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One request and the reader of its answer's ``data``."""

    method: str
    path: str
    read: Callable[[Any], T]
    params: Params | None = None
    body: bytes | None = None
    content_type: str | None = None
    #: the answer has no envelope (``/api/health``)
    raw: bool = False
    #: more request headers (``Prefer``)
    headers: tuple[tuple[str, str], ...] = ()


def _seg(value: str) -> str:
    """One path segment, escaped so an id can never reach another route."""
    return quote(str(value), safe="")


def _json(method: str, path: str, read: Callable[[Any], T], body: Mapping[str, Any]) -> Call[T]:
    data = json.dumps(body).encode()
    return Call(method, path, read, body=data, content_type="application/json")


def _params(**values: str | int | None) -> Params:
    return {k: v for k, v in values.items() if v is not None}


def _given(**values: Any) -> dict[str, Any]:
    """The values given: ``None`` is left out, ``REMOVE`` sent as ``null``."""
    return {k: None if isinstance(v, Remove) else v for k, v in values.items() if v is not None}


def _none(_: Any) -> None:
    return None


def _page(key: str, item: Callable[[Mapping[str, Any]], T]) -> Callable[[Any], Page[T]]:
    return lambda data: Page.from_json(data, key, item)


# auth and keys
def health() -> Call[dict[str, JsonValue]]:
    return Call("GET", "/api/health", dict, raw=True)


def login(email: str, password: str) -> Call[Token]:
    return _json("POST", "/api/auth/login", Token.from_json, {"email": email, "password": password})


def me() -> Call[Me]:
    return Call("GET", "/api/auth/me", Me.from_json)


def create_key(name: str) -> Call[NewApiKey]:
    return _json("POST", "/api/keys", NewApiKey.from_json, {"name": name})


def list_keys(page: int | None, per_page: int | None) -> Call[Page[ApiKey]]:
    return Call(
        "GET", "/api/keys", _page("keys", ApiKey.from_json), _params(page=page, per_page=per_page)
    )


def delete_key(key_id: str) -> Call[None]:
    return Call("DELETE", f"/api/keys/{_seg(key_id)}", _none)


# collections and imports
def list_collections(page: int | None, per_page: int | None) -> Call[Page[Collection]]:
    read = _page("collections", Collection.from_json)
    return Call("GET", "/api/collections", read, _params(page=page, per_page=per_page))


def get_collection(coll_id: str) -> Call[Collection]:
    return Call("GET", f"/api/collections/{_seg(coll_id)}", Collection.from_json)


def collection_spec(coll_id: str) -> Call[dict[str, Any]]:
    def read(data: Any) -> dict[str, Any]:
        return dict(data["spec"])

    return Call("GET", f"/api/collections/{_seg(coll_id)}/spec", read)


def create_collection(name: str, description: str | None, slug: str | None) -> Call[Collection]:
    body = _given(name=name, description=description, slug=slug)
    return _json("POST", "/api/collections", Collection.from_json, body)


def update_collection(
    coll_id: str,
    name: str | None,
    description: str | None,
    stateful: bool | None = None,
    delay: float | Sequence[float] | Remove | None = None,
    cors: bool | None = None,
) -> Call[Collection]:
    if delay is not None and not isinstance(delay, (int, float, Remove)):
        delay = list(delay)
    body = _given(name=name, description=description, stateful=stateful, delay=delay, cors=cors)
    return _json("PATCH", f"/api/collections/{_seg(coll_id)}", Collection.from_json, body)


def delete_collection(coll_id: str) -> Call[None]:
    return Call("DELETE", f"/api/collections/{_seg(coll_id)}", _none)


def scenarios(coll_id: str) -> Call[list[Scenario]]:
    return Call("GET", f"/api/collections/{_seg(coll_id)}/scenarios", scenarios_of)


def set_scenario(coll_id: str, name: str, state: str) -> Call[list[Scenario]]:
    path = f"/api/collections/{_seg(coll_id)}/scenarios/{_seg(name)}"
    return _json("PUT", path, scenarios_of, {"state": state})


def reset_collection(coll_id: str) -> Call[list[Scenario]]:
    return Call("POST", f"/api/collections/{_seg(coll_id)}/reset", scenarios_of)


def import_spec(
    coll_id: str,
    document: str | PathLike[str] | Mapping[str, JsonValue],
    background: bool = False,
) -> Call[Import]:
    """A path is sent as the raw file (YAML or JSON by suffix); a mapping as ``{"spec": ...}``;
    ``background`` asks the server to import in the background (``Prefer: respond-async``)."""
    path = f"/api/collections/{_seg(coll_id)}/import"
    prefer = (("Prefer", "respond-async"),) if background else ()
    if isinstance(document, Mapping):
        data = json.dumps({"spec": dict(document)}).encode()
        content_type = "application/json"
    else:
        file = Path(document)
        data = file.read_bytes()
        content_type = _SUFFIX_TYPES.get(file.suffix.lower(), "application/yaml")
    return Call(
        "POST", path, Import.from_json, body=data, content_type=content_type, headers=prefer
    )


def get_import(import_id: str) -> Call[Import]:
    return Call("GET", f"/api/imports/{_seg(import_id)}", Import.from_json)


#: how often a client asks whether a background import has ended, seconds
IMPORT_POLL = 0.2


def import_outcome(found: Import) -> Import:
    """A finished import; a failed one raises ``ValidationError``, as a refused
    synchronous import does."""
    if found.status == "failed":
        raise ValidationError(422, "VALIDATION_ERROR", found.message, tuple(found.errors or ()))
    return found


def import_timeout(found: Import, seconds: float) -> Timeout:
    """The error of a background import still processing after ``seconds``."""
    return Timeout(
        f"import {found.import_id} is still processing after {seconds:g} s; "
        f"GET /api/imports/{found.import_id} later"
    )


# endpoints
def list_endpoints(
    page: int | None = None,
    per_page: int | None = None,
    collection_id: str | None = None,
    method: str | None = None,
    path: str | None = None,
    q: str | None = None,
    sort: str | None = None,
) -> Call[Page[Endpoint]]:
    params = _params(
        page=page,
        per_page=per_page,
        collection_id=collection_id,
        method=method,
        path=path,
        q=q,
        sort=sort,
    )
    return Call("GET", "/api/endpoints", _page("endpoints", Endpoint.from_json), params)


def get_endpoint(ep_id: str) -> Call[Endpoint]:
    return Call("GET", f"/api/endpoints/{_seg(ep_id)}", Endpoint.from_json)


def update_endpoint(ep_id: str, name: str | None, description: str | None) -> Call[Endpoint]:
    body = _given(name=name, description=description)
    return _json("PATCH", f"/api/endpoints/{_seg(ep_id)}", Endpoint.from_json, body)


def delete_endpoint(ep_id: str) -> Call[None]:
    return Call("DELETE", f"/api/endpoints/{_seg(ep_id)}", _none)


# rules
def _rules(ep_id: str) -> str:
    return f"/api/endpoints/{_seg(ep_id)}/rules"


def list_rules(ep_id: str, page: int | None, per_page: int | None) -> Call[Page[Rule]]:
    params = _params(page=page, per_page=per_page)
    return Call("GET", _rules(ep_id), _page("rules", Rule.from_json), params)


def _rule_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    body = _given(**fields)
    then = body.get("then")
    if then is not None and not isinstance(then, list):
        body["then"] = list(then)
    return body


def create_rule(ep_id: str, fields: Mapping[str, Any]) -> Call[Rule]:
    return _json("POST", _rules(ep_id), Rule.from_json, _rule_body(fields))


def get_rule(ep_id: str, rule_id: str) -> Call[Rule]:
    return Call("GET", f"{_rules(ep_id)}/{_seg(rule_id)}", Rule.from_json)


def update_rule(ep_id: str, rule_id: str, fields: Mapping[str, Any]) -> Call[Rule]:
    path = f"{_rules(ep_id)}/{_seg(rule_id)}"
    return _json("PATCH", path, Rule.from_json, _rule_body(fields))


def delete_rule(ep_id: str, rule_id: str) -> Call[None]:
    return Call("DELETE", f"{_rules(ep_id)}/{_seg(rule_id)}", _none)


# generated data and analytics
def generate_data(ep_id: str, fields: Mapping[str, Any]) -> Call[Generation]:
    path = f"/api/endpoints/{_seg(ep_id)}/generate-data"
    return _json("POST", path, Generation.from_json, _given(**fields))


def get_generation(gen_id: str) -> Call[Generation]:
    return Call("GET", f"/api/generations/{_seg(gen_id)}", Generation.from_json)


def request_analytics(time_period: str, collection_id: str | None) -> Call[RequestAnalytics]:
    params = _params(time_period=time_period, collection_id=collection_id)
    return Call("GET", "/api/analytics/requests", RequestAnalytics.from_json, params)


def list_requests(
    page: int | None = None,
    per_page: int | None = None,
    collection_id: str | None = None,
    operation: str | None = None,
    status: int | None = None,
    test: str | None = None,
) -> Call[Page[RequestRecord]]:
    params = _params(
        page=page,
        per_page=per_page,
        collection_id=collection_id,
        operation=operation,
        status=status,
        test=test,
    )
    return Call("GET", "/api/requests", _page("requests", RequestRecord.from_json), params)


def coverage(collection_id: str | None, time_period: str | None = None) -> Call[Coverage]:
    params = _params(collection_id=collection_id, time_period=time_period)
    return Call("GET", "/api/analytics/coverage", Coverage.from_json, params)
