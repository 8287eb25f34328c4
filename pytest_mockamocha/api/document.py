"""The OpenAPI 3.1 document of the management API, kept true by a contract test."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pytest_mockamocha.analytics.reports.jsonfile import REPORT_SCHEMA
from pytest_mockamocha.api.routes.analytics import PERIODS
from pytest_mockamocha.api.routes.endpoints import SORTS
from pytest_mockamocha.engine.respond.reply import FAULTS
from pytest_mockamocha.engine.rules.form import MAX_SECONDS

Schema = dict[str, Any]
_STR: Schema = {"type": "string"}
_INT: Schema = {"type": "integer"}
_TIME: Schema = {"type": "string", "format": "date-time"}
_NULL_TIME: Schema = {"type": ["string", "null"], "format": "date-time"}
_SECONDS: Schema = {"type": "number", "minimum": 0, "maximum": MAX_SECONDS}
_DELAY: Schema = {
    "oneOf": [_SECONDS, {"type": "array", "items": _SECONDS, "minItems": 2, "maxItems": 2}]
}
_DELAY_OR_NULL: Schema = {"oneOf": [*_DELAY["oneOf"], {"type": "null"}]}
_FAULTS = list(FAULTS)


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: str, optional: Schema | None = None, **props: Schema) -> Schema:
    """An object schema: ``required`` names the required properties (space separated)."""
    return {
        "type": "object",
        "required": required.split(),
        "properties": {**props, **(optional or {})},
    }


#: headers as [name, value] pairs, in order
_HEADER_LIST: Schema = {
    "type": "array",
    "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
}
#: a name the API accepts: at least one character that is not white space
_NAME: Schema = {"type": "string", "pattern": "\\S"}


def _locales() -> Schema:
    """Faker's locales, in both spellings generate-data takes (``en_US``, ``en-US``); read
    when the document is first built, so starting the server does not import Faker."""
    from faker.config import AVAILABLE_LOCALES

    names = {*AVAILABLE_LOCALES, *(name.replace("_", "-") for name in AVAILABLE_LOCALES)}
    return {"type": "string", "enum": sorted(names)}


def closed(schema: Schema) -> Schema:
    """An input object: the API refuses fields it does not know (422), so say so."""
    return {**schema, "additionalProperties": False}


def envelope(data: Schema) -> Schema:
    return obj("data meta", data=data, meta=ref("Meta"))


def listing(key: str, item: str) -> Schema:
    return obj(
        f"{key} total page per_page",
        **{key: {"type": "array", "items": ref(item)}},
        total=_INT,
        page=_INT,
        per_page=_INT,
    )


_RULE_FIELDS: Schema = {
    "match": ref("Match"),
    "response": ref("Reply"),
    "then": {"type": "array", "items": ref("Reply")},
    "priority": _INT,
    "enabled": {"type": "boolean"},
    "name": _STR,
    "scenario": _NAME,
    "state": _NAME,
    "next_state": _NAME,
}

_SCHEMAS: dict[str, Schema] = {
    "Meta": obj("request_id timestamp", request_id=_STR, timestamp=_TIME),
    "Error": obj(
        "error meta",
        meta=ref("Meta"),
        error=obj(
            "code message details",
            code={
                "type": "string",
                "enum": [
                    "VALIDATION_ERROR",
                    "UNAUTHORIZED",
                    "FORBIDDEN",
                    "NOT_FOUND",
                    "METHOD_NOT_ALLOWED",
                    "CONFLICT",
                    "PAYLOAD_TOO_LARGE",
                    "UNSUPPORTED_MEDIA_TYPE",
                    "RATE_LIMITED",
                    "INTERNAL_ERROR",
                ],
            },
            message=_STR,
            details={"type": "array", "items": _STR},
        ),
    ),
    "User": obj("id email name", id=_STR, email=_STR, name=_STR),
    "UserDetail": obj(
        "id email name is_admin workspace_id created_at",
        id=_STR,
        email=_STR,
        name=_STR,
        is_admin={"type": "boolean"},
        workspace_id=_STR,
        created_at=_TIME,
    ),
    "Login": closed(obj("email password", email=_STR, password=_STR)),
    "Session": obj(
        "user csrf_token expires_in",
        user=ref("UserDetail"),
        csrf_token=_STR,
        expires_in=_INT,
    ),
    "Token": obj(
        "access_token token_type expires_in user",
        access_token=_STR,
        token_type={"const": "bearer"},
        expires_in=_INT,
        user=ref("User"),
    ),
    "NewUser": closed(
        obj(
            "email name password",
            email={"type": "string", "pattern": "@", "maxLength": 320},
            name=_NAME,
            password={"type": "string", "minLength": 8},
            is_admin={"type": "boolean"},
        )
    ),
    "Key": obj(
        "id name prefix created_at last_used_at",
        id=_STR,
        name=_STR,
        prefix=_STR,
        created_at=_TIME,
        last_used_at=_NULL_TIME,
    ),
    "NewKey": obj(
        "id name prefix created_at last_used_at key",
        id=_STR,
        name=_STR,
        prefix=_STR,
        created_at=_TIME,
        last_used_at=_NULL_TIME,
        key=_STR,
    ),
    "KeyInput": closed(obj("name", name=_NAME)),
    "Collection": obj(
        "id name description slug mock_url endpoints_count requests_count stateful delay cors "
        "created_at updated_at",
        id=_STR,
        name=_STR,
        description=_STR,
        slug=_STR,
        mock_url=_STR,
        endpoints_count=_INT,
        requests_count=_INT,
        stateful={"type": "boolean"},
        delay=_DELAY_OR_NULL,
        cors={"type": "boolean"},
        created_at=_TIME,
        updated_at=_TIME,
    ),
    "NewCollection": closed(obj("name", name=_NAME, description=_STR, slug=_STR)),
    "Import": obj(
        "import_id status stage endpoints_created endpoints_updated endpoints_removed "
        "message errors warnings collection_id created_at finished_at",
        import_id=_STR,
        status={"enum": ["processing", "completed", "failed"]},
        stage={"enum": ["queued", "loading", "saving", "completed", "failed"]},
        endpoints_created=_INT,
        endpoints_updated=_INT,
        endpoints_removed=_INT,
        message=_STR,
        errors={"type": "array", "items": _STR},
        warnings={"type": "array", "items": _STR},
        collection_id=_STR,
        created_at=_TIME,
        finished_at={"oneOf": [_TIME, {"type": "null"}]},
    ),
    "Endpoint": obj(
        "id method path name description operation operation_id collection_id "
        "response_rules_count requests_count last_request_at created_at",
        id=_STR,
        method=_STR,
        path=_STR,
        name=_STR,
        description=_STR,
        operation=_STR,
        operation_id={"type": ["string", "null"]},
        collection_id=_STR,
        response_rules_count=_INT,
        requests_count=_INT,
        last_request_at=_NULL_TIME,
        created_at=_TIME,
    ),
    "Match": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "path": {"type": "object"},
            "query": {"type": "object"},
            "headers": {"type": "object"},
            "cookies": {"type": "object"},
            "json": {},
            "json_contains": {"type": ["object", "array"]},
            "body": {"type": "array", "items": {"type": "object"}, "minItems": 1},
            "form": {"type": "object"},
            "any_of": {"type": "array", "items": ref("Match"), "minItems": 1},
            "not": ref("Match"),
        },
    },
    "Reply": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "status": {"type": "integer", "minimum": 100, "maximum": 599},
            "headers": {"type": "object", "additionalProperties": _STR},
            "json": {},
            "body": _STR,
            "content_type": _STR,
            "example": _STR,
            "generate": {"oneOf": [{"const": True}, {"type": "object"}]},
            "template": {},
            "delay": _DELAY,
            "fault": {
                "oneOf": [
                    {"enum": _FAULTS},
                    closed(obj("kind", kind={"enum": _FAULTS}, seconds=_SECONDS)),
                ]
            },
            "times": {"type": "integer", "minimum": 1},
        },
    },
    "Rule": obj(
        "id endpoint_id name match response then priority enabled scenario state next_state "
        "hits warnings created_at updated_at",
        id=_STR,
        endpoint_id=_STR,
        name=_STR,
        match=ref("Match"),
        response=ref("Reply"),
        then={"type": "array", "items": ref("Reply")},
        priority=_INT,
        enabled={"type": "boolean"},
        scenario={"type": ["string", "null"]},
        state={"type": ["string", "null"]},
        next_state={"type": ["string", "null"]},
        hits=_INT,
        warnings={"type": "array", "items": _STR},
        created_at=_TIME,
        updated_at=_TIME,
    ),
    "NewRule": closed(
        obj(
            "response",
            _RULE_FIELDS,
        )
    ),
    "RulePatch": closed(obj("", _RULE_FIELDS)),
    "Scenarios": obj(
        "scenarios",
        scenarios={
            "type": "array",
            "items": obj("name state", name=_STR, state=_STR),
        },
    ),
    "StateInput": closed(obj("state", state=_NAME)),
    "CollectionPatch": closed(
        obj(
            "",
            name=_NAME,
            description=_STR,
            stateful={"type": "boolean"},
            delay=_DELAY_OR_NULL,
            cors={"type": "boolean"},
        )
    ),
    "GenerateInput": closed(
        obj(
            "",
            count={"type": "integer", "minimum": 1, "maximum": 1000},
            schema_type={"const": "json"},
            custom_fields={"type": "object"},
            seed=_INT,
            status_code={"type": "integer", "minimum": 100, "maximum": 599},
            locale=_STR,  # the enum of Faker's locales, added by openapi_document
            attach={"type": "boolean"},
        )
    ),
    "Generation": obj(
        "generation_id status records_generated data_preview records endpoint_id seed locale "
        "attached",
        attached={"type": "array", "items": _STR},
        endpoint_id=_STR,
        seed=_INT,
        locale=_STR,
        generation_id=_STR,
        status={"const": "completed"},
        records_generated=_INT,
        data_preview={"type": "array"},
        records={"type": "array"},
    ),
    "RequestAnalytics": obj(
        "total_requests unique_endpoints time_period requests_by_day top_endpoints",
        total_requests=_INT,
        unique_endpoints=_INT,
        time_period=_STR,
        requests_by_day={"type": "array", "items": obj("date count", date=_STR, count=_INT)},
        top_endpoints={
            "type": "array",
            "items": obj(
                "endpoint_id path method requests_count avg_response_time",
                endpoint_id={"type": ["string", "null"]},
                path=_STR,
                method=_STR,
                requests_count=_INT,
                avg_response_time={"type": "number"},
            ),
        },
    ),
    "RequestRecord": obj(
        "id timestamp collection_id collection operation method path query status "
        "response_time_ms source test rule_id violations params",
        id=_STR,
        timestamp=_TIME,
        collection_id=_STR,
        collection=_STR,
        operation={"type": ["string", "null"]},
        method=_STR,
        path=_STR,
        query=_STR,
        status=_INT,
        response_time_ms={"type": "number"},
        source=_STR,
        test={"type": ["string", "null"]},
        rule_id={"type": ["string", "null"]},
        violations={"type": "array", "items": _STR},
        params={"type": "array", "items": _STR},
    ),
    "RequestDetail": {
        "allOf": [
            ref("RequestRecord"),
            obj("exchange", exchange={"oneOf": [ref("Exchange"), {"type": "null"}]}),
        ]
    },
    "Exchange": obj(
        "request response",
        request=obj("headers body", headers=_HEADER_LIST, body=ref("Body")),
        response=obj("status headers body", status=_INT, headers=_HEADER_LIST, body=ref("Body")),
    ),
    "Body": obj("text size truncated", text=_STR, size=_INT, truncated={"type": "boolean"}),
    "Coverage": REPORT_SCHEMA,
    "Patch": closed(obj("", name=_NAME, description=_STR)),
    "Health": obj("status collections", status=_STR, collections={"type": "array", "items": _STR}),
}
_ERRORS = {
    "400": "Malformed request",
    "401": "Missing or invalid credentials",
    "403": "Not allowed",
    "404": "Not found",
    "405": "Method not allowed",
    "409": "Conflict",
    "413": "Body too large",
    "415": "Wrong content type",
    "422": "Invalid fields",
    "429": "Too many requests",
    "500": "Unexpected error",
}
_PAGING: list[Schema] = [
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
    },
]


def _id(name: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": _STR}


def op(
    summary: str,
    status: str = "200",
    data: Schema | None = None,
    *,
    body: str | None = None,
    params: list[Schema] | None = None,
    public: bool = False,
    raw: bool = False,
) -> Schema:
    """One operation: its success answer (enveloped unless ``raw``) and every error."""
    content = (
        None if data is None else {"application/json": {"schema": data if raw else envelope(data)}}
    )
    answer: Schema = {"description": summary} | ({"content": content} if content else {})
    if status == "201":
        answer["headers"] = {
            "Location": {"description": "Where what was made lives", "schema": _STR}
        }
    spec: Schema = {
        "summary": summary,
        "parameters": params or [],
        "responses": {status: answer}
        | {
            code: {"description": text, "content": {"application/json": {"schema": ref("Error")}}}
            for code, text in _ERRORS.items()
        },
    }
    if body:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
    if public:
        spec["security"] = []
    return spec


def _paths() -> dict[str, Schema]:
    coll, ep, rule = _id("coll_id"), _id("ep_id"), _id("rule_id")
    return {
        "/api/health": {"get": op("Liveness", data=ref("Health"), public=True, raw=True)},
        "/api/openapi.json": {
            "get": op("This document", data={"type": "object"}, public=True, raw=True)
        },
        "/api/auth/login": {"post": op("Log in", data=ref("Token"), body="Login", public=True)},
        "/api/auth/me": {"get": op("The current user", data=ref("UserDetail"))},
        "/api/auth/session": {
            "post": op(
                "Sign in to the dashboard: sets the HttpOnly session cookie",
                "201",
                ref("Session"),
                body="Login",
                public=True,
            ),
            "get": op(
                "The session's user and CSRF token (session cookie)",
                data=ref("Session"),
                public=True,
            ),
            "delete": op("Sign out (session cookie and X-CSRF-Token)", "204", public=True),
        },
        "/api/keys": {
            "get": op("List API keys", data=listing("keys", "Key"), params=_PAGING),
            "post": op("Create an API key (shown once)", "201", ref("NewKey"), body="KeyInput"),
        },
        "/api/keys/{key_id}": {"delete": op("Revoke an API key", "204", params=[_id("key_id")])},
        "/api/users": {
            "get": op("List users (admins)", data=listing("users", "UserDetail"), params=_PAGING),
            "post": op("Create a user (admins)", "201", ref("UserDetail"), body="NewUser"),
        },
        "/api/collections": {
            "get": op(
                "List collections", data=listing("collections", "Collection"), params=_PAGING
            ),
            "post": op("Create a collection", "201", ref("Collection"), body="NewCollection"),
        },
        "/api/collections/{coll_id}": {
            "get": op("Get a collection", data=ref("Collection"), params=[coll]),
            "patch": op(
                "Change a collection (name, stateful mode, default delay, CORS handling)",
                data=ref("Collection"),
                body="CollectionPatch",
                params=[coll],
            ),
            "delete": op("Delete a collection, its endpoints and rules", "204", params=[coll]),
        },
        "/api/collections/{coll_id}/scenarios": {
            "get": op("Scenarios and their states", data=ref("Scenarios"), params=[coll]),
        },
        "/api/collections/{coll_id}/reset": {
            "post": op(
                "Reset scenarios, rule sequences and the stateful store",
                data=ref("Scenarios"),
                params=[coll],
            ),
        },
        "/api/collections/{coll_id}/scenarios/{name}": {
            "put": op(
                "Move a scenario to a state",
                data=ref("Scenarios"),
                body="StateInput",
                params=[coll, _id("name")],
            ),
        },
        "/api/collections/{coll_id}/import": {"post": _import_op(coll)},
        "/api/collections/{coll_id}/spec": {
            "get": op(
                "The collection's imported document",
                data=obj(
                    "collection_id slug spec",
                    collection_id=_STR,
                    slug=_STR,
                    spec={"type": "object"},
                ),
                params=[coll],
            )
        },
        "/api/imports/{imp_id}": {
            "get": op("Get an import", data=ref("Import"), params=[_id("imp_id")])
        },
        "/api/endpoints": {
            "get": op(
                "List endpoints",
                data=listing("endpoints", "Endpoint"),
                params=_PAGING + _ENDPOINT_FILTERS,
            )
        },
        "/api/endpoints/{ep_id}": {
            "get": op("Get an endpoint", data=ref("Endpoint"), params=[ep]),
            "patch": op("Change an endpoint", data=ref("Endpoint"), body="Patch", params=[ep]),
            "delete": op("Delete an endpoint and its rules", "204", params=[ep]),
        },
        "/api/endpoints/{ep_id}/rules": {
            "get": op("List rules", data=listing("rules", "Rule"), params=[ep, *_PAGING]),
            "post": op("Add a rule", "201", ref("Rule"), body="NewRule", params=[ep]),
        },
        "/api/endpoints/{ep_id}/generate-data": {
            "post": op(
                "Generate records from the endpoint's response schema",
                "201",
                ref("Generation"),
                body="GenerateInput",
                params=[ep],
            )
        },
        "/api/generations/{gen_id}": {
            "get": op("Get a generated data set", data=ref("Generation"), params=[_id("gen_id")])
        },
        "/api/analytics/requests": {
            "get": op(
                "Mock traffic of the workspace",
                data=ref("RequestAnalytics"),
                params=[
                    {"name": "time_period", "in": "query", "schema": {"enum": list(PERIODS)}},
                    {"name": "collection_id", "in": "query", "schema": _STR},
                ],
            )
        },
        "/api/analytics/coverage": {
            "get": op(
                "Request coverage of the workspace's collections",
                data=ref("Coverage"),
                params=[
                    {"name": "collection_id", "in": "query", "schema": _STR},
                    {"name": "time_period", "in": "query", "schema": {"enum": list(PERIODS)}},
                ],
            )
        },
        "/api/requests": {
            "get": op(
                "The request journal, newest first",
                data=listing("requests", "RequestRecord"),
                params=[*_PAGING, *_REQUEST_FILTERS],
            )
        },
        "/api/requests/{req_id}": {
            "get": op(
                "One request, with its headers and bodies while they are kept",
                data=ref("RequestDetail"),
                params=[_id("req_id")],
            )
        },
        "/api/endpoints/{ep_id}/rules/{rule_id}": {
            "get": op("Get a rule", data=ref("Rule"), params=[ep, rule]),
            "patch": op("Change a rule", data=ref("Rule"), body="RulePatch", params=[ep, rule]),
            "delete": op("Delete a rule", "204", params=[ep, rule]),
        },
    }


_REQUEST_FILTERS: list[Schema] = [
    *(
        {"name": name, "in": "query", "schema": _STR}
        for name in ("collection_id", "operation", "test")
    ),
    {
        "name": "status",
        "in": "query",
        "schema": {"type": "integer", "minimum": 100, "maximum": 599},
    },
    {
        "name": "violations",
        "in": "query",
        "description": "true: only requests that broke the contract",
        "schema": {"type": "boolean"},
    },
]
_ENDPOINT_FILTERS: list[Schema] = [
    *(
        {"name": name, "in": "query", "schema": _STR}
        for name in ("collection_id", "method", "path", "q")
    ),
    {"name": "sort", "in": "query", "schema": {"enum": [*SORTS, *(f"-{s}" for s in SORTS)]}},
]


def _import_op(coll: Schema) -> Schema:
    spec = op("Import an OpenAPI document", "201", ref("Import"), params=[coll])
    spec["parameters"].append(
        {
            "name": "Prefer",
            "in": "header",
            "description": "respond-async: import in the background (202) whatever the size",
            "schema": _STR,
        }
    )
    spec["responses"]["202"] = {
        "description": "Importing in the background (documents over 512 KiB, or Prefer: "
        "respond-async); GET the Location for the outcome",
        "headers": {"Location": {"schema": _STR}},
        "content": {"application/json": {"schema": envelope(ref("Import"))}},
    }
    spec["requestBody"] = {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": _STR},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "contentMediaType": "application/octet-stream"}
                    },
                }
            },
        },
    }
    return spec


def _generate_input() -> Schema:
    schema = copy.deepcopy(_SCHEMAS["GenerateInput"])
    schema["properties"]["locale"] = _locales()
    return schema


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document (built once)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "MockaMocha management API", "version": "1"},
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "schemas": {**_SCHEMAS, "GenerateInput": _generate_input()},
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A JWT from /api/auth/login or an API key (mm_...)",
                }
            },
        },
    }
