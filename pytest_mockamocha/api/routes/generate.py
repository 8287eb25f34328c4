"""``POST /api/endpoints/{id}/generate-data``: records from the endpoint's response schema."""

from __future__ import annotations

import random
from typing import Any

from pytest_mockamocha._ids import new_id
from pytest_mockamocha.api.envelope import Answer, ApiError
from pytest_mockamocha.api.inputs import Field, checked, json_body
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.state import Call
from pytest_mockamocha.engine import Collection
from pytest_mockamocha.engine.media import is_json
from pytest_mockamocha.engine.respond import success_status
from pytest_mockamocha.errors import CollectionNotFoundError, OperationNotFoundError
from pytest_mockamocha.generate import GenerationError

MAX_RECORDS = 1000
PREVIEW = 10
FIELDS = {
    "count": Field((int,)),
    "schema_type": Field((str,)),
    "custom_fields": Field((dict,)),
    "seed": Field((int,)),
}


def _schema(coll: Collection, operation: str) -> Any:
    """The JSON schema of one record the operation answers with (array items unwrapped)."""
    op = coll.operation(operation)
    key = success_status(op)
    responder = coll.responder
    response = responder.deref(op.responses.get(key)) if key else None
    content = response.get("content") if isinstance(response, dict) else None
    media = next((m for m in (content or {}) if is_json(m)), None)
    if not content or media is None:
        raise ApiError(422, f"{operation} declares no JSON response to generate data from")
    schema = responder.deref((content[media] or {}).get("schema"))
    if isinstance(schema, dict) and schema.get("type") == "array" and "items" in schema:
        return responder.deref(schema["items"])
    return schema


def _body(call: Call) -> dict[str, Any]:
    body = checked(json_body(call.request), FIELDS)
    count = body.get("count", 10)
    problems = []
    if not 1 <= count <= MAX_RECORDS:
        problems.append(f'Field "count" must be from 1 to {MAX_RECORDS}')
    if body.get("schema_type", "json") != "json":
        problems.append('Field "schema_type" must be "json"')
    for name, values in (body.get("custom_fields") or {}).items():
        if not isinstance(values, list) or not values:
            problems.append(f'Field "custom_fields.{name}" must be a non-empty array')
    if problems:
        raise ApiError(422, "the request body is not valid", problems)
    return body | {"count": count}


def generate(call: Call) -> Answer:
    endpoint, coll = call.endpoint(call.args["ep_id"])
    body = _body(call)
    try:
        mounted = call.state.engine.collection(coll["slug"])
        schema = _schema(mounted, endpoint["operation"])
    except (CollectionNotFoundError, OperationNotFoundError):
        raise ApiError(409, "the endpoint's collection is not being served; import it") from None
    seed = body.get("seed", call.state.engine.seed)
    custom = body.get("custom_fields") or {}
    records = []
    try:
        for i in range(body["count"]):
            rng = random.Random(f"{seed}|{endpoint['id']}|{i}")
            value = mounted.responder.generate(schema, rng)
            if isinstance(value, dict):
                value |= {name: values[i % len(values)] for name, values in custom.items()}
            records.append(value)
    except GenerationError as exc:
        raise ApiError(422, "cannot generate data for this endpoint", [str(exc)]) from None
    return Answer(
        {
            "generation_id": new_id("gen"),
            "status": "completed",
            "records_generated": len(records),
            "data_preview": records[:PREVIEW],
            "records": records,
        },
        201,
    )


ROUTES = [Route("/api/endpoints/<ep_id>/generate-data", ("POST",), generate)]
