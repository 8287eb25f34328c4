"""Response rules in their JSON form, checked and turned into the engine's ``Rule``.

``{"match": {"path"|"query"|"headers"|"cookies": {name: value}, "json"|"json_contains": v},
"response": {"status", "headers", "json" | "body", "content_type"}, "priority", "enabled",
"name"}`` -- the same model the fixture's ``when(...)`` builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.api.inputs import Field, field_problems
from pytest_mockamocha.engine.matchers import JsonEquals, Matcher, params
from pytest_mockamocha.engine.rules import _UNSET, Reply, Rule, Step

_ANY = (str, int, float, bool, dict, list)
RULE_FIELDS = {
    "match": Field((dict,)),
    "response": Field((dict,), required=True),
    "priority": Field((int,)),
    "enabled": Field((bool,)),
    "name": Field((str,)),
}
PATCH_FIELDS = {k: Field(v.types) for k, v in RULE_FIELDS.items()}
_MATCH_FIELDS = {
    "path": Field((dict,)),
    "query": Field((dict,)),
    "headers": Field((dict,)),
    "cookies": Field((dict,)),
    "json": Field(_ANY, nullable=True),
    "json_contains": Field((dict, list)),
}
_RESPONSE_FIELDS = {
    "status": Field((int,)),
    "headers": Field((dict,)),
    "json": Field(_ANY, nullable=True),
    "body": Field((str,)),
    "content_type": Field((str,)),
}
_LOCATIONS = {"path": "path", "query": "query", "headers": "header", "cookies": "cookie"}
_SCALARS = (str, int, float, bool)


def rule_problems(body: Mapping[str, Any], fields: Mapping[str, Field]) -> list[str]:
    """Every problem of a rule's JSON form, each naming its field."""
    problems = field_problems(body, fields)
    if isinstance(body.get("match"), dict):
        problems += _match_problems(body["match"])
    if isinstance(body.get("response"), dict):
        problems += _response_problems(body["response"])
    return problems


def _match_problems(match: Mapping[str, Any]) -> list[str]:
    problems = field_problems(match, _MATCH_FIELDS, "match.")
    for key in _LOCATIONS:
        values = match.get(key)
        if isinstance(values, dict):
            problems += [
                f'Field "match.{key}.{name}" must be a string, number or boolean'
                for name, v in values.items()
                if not isinstance(v, _SCALARS) and not (key == "query" and isinstance(v, list))
            ]
    if "json" in match and "json_contains" in match:
        problems.append('Fields "match.json" and "match.json_contains" exclude each other')
    return problems


def _response_problems(response: Mapping[str, Any]) -> list[str]:
    problems = field_problems(response, _RESPONSE_FIELDS, "response.")
    status = response.get("status")
    if isinstance(status, int) and not isinstance(status, bool) and not 100 <= status <= 599:
        problems.append('Field "response.status" must be from 100 to 599')
    headers = response.get("headers")
    if isinstance(headers, dict):
        problems += [
            f'Field "response.headers.{k}" must be a string'
            for k, v in headers.items()
            if not isinstance(v, str)
        ]
    if "json" in response and "body" in response:
        problems.append('Fields "response.json" and "response.body" exclude each other')
    return problems


def check_rule(body: Any, fields: Mapping[str, Field] = RULE_FIELDS) -> dict[str, Any]:
    """``body`` if it is a valid rule (or patch); 422 listing each bad field otherwise."""
    if not isinstance(body, dict):
        raise ApiError(422, "the request body is not valid", ["the body must be a JSON object"])
    problems = rule_problems(body, fields)
    if problems:
        raise ApiError(422, "the rule is not valid", problems)
    return body


def matchers(match: Mapping[str, Any]) -> tuple[Matcher, ...]:
    """The engine matchers of a rule's ``match`` object."""
    found: list[Matcher] = []
    for key, location in _LOCATIONS.items():
        found += params(location, match.get(key))
    if "json" in match:
        found.append(JsonEquals(match["json"]))
    if "json_contains" in match:
        found.append(JsonEquals(match["json_contains"], partial=True))
    return tuple(found)


def reply(response: Mapping[str, Any]) -> Reply:
    """The engine reply of a rule's ``response`` object."""
    headers = tuple((str(k), str(v)) for k, v in (response.get("headers") or {}).items())
    body = response.get("body")
    content_type = response.get("content_type")
    if isinstance(body, str) and content_type is None:
        content_type = "text/plain; charset=utf-8"
    return Reply(
        status=response.get("status"),
        headers=headers,
        json=response.get("json", _UNSET),
        body=body.encode() if isinstance(body, str) else None,
        content_type=content_type,
    )


def engine_rule(record: Mapping[str, Any], slug: str, operation: str) -> Rule:
    """The engine's rule for a stored rule record (same id, owned by no test)."""
    return Rule(
        id=record["id"],
        collection=slug,
        operation=operation,
        matchers=matchers(record.get("match") or {}),
        steps=(Step(reply(record["response"])),),
        priority=int(record.get("priority", 0)),
        owner=None,
        enabled=bool(record.get("enabled", True)),
        name=str(record.get("name", "")),
    )
