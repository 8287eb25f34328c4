"""Generated data sets: generate-data per endpoint, and ``GET /api/generations/{id}``.

The records are those the fixture's ``generate()`` and ``mockamocha generate`` make for the
same schema, seed and custom fields (one shared module), so a data set seen through the
API can be reproduced in a test. Data sets are kept in memory (the latest
``KEPT_GENERATIONS``), not in the database: they can be large and are cheap to remake.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from pytest_mockamocha._ids import new_id
from pytest_mockamocha.api.envelope import Answer, ApiError
from pytest_mockamocha.api.inputs import Field, checked, json_body
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.state import Call
from pytest_mockamocha.engine import Collection, Engine
from pytest_mockamocha.errors import (
    CollectionNotFoundError,
    CustomFieldError,
    OperationNotFoundError,
)
from pytest_mockamocha.generate import GenerationError, SchemaGenerator
from pytest_mockamocha.generate.realism import DEFAULT_LOCALE, check_locale
from pytest_mockamocha.generate.records import records, response_schema
from pytest_mockamocha.spec.model import Operation

MAX_RECORDS = 1000
PREVIEW = 10
KEPT_GENERATIONS = 50
FIELDS = {
    "count": Field((int,)),
    "schema_type": Field((str,)),
    "custom_fields": Field((dict,)),
    "seed": Field((int,)),
    "status_code": Field((int,)),
    "locale": Field((str,)),
    "attach": Field((bool,)),
}
_kept: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()
_kept_lock = threading.Lock()


def _body(call: Call) -> dict[str, Any]:
    body = checked(json_body(call.request), FIELDS)
    count = body.get("count", 10)
    problems = []
    if not 1 <= count <= MAX_RECORDS:
        problems.append(f'Field "count" must be from 1 to {MAX_RECORDS}')
    if body.get("schema_type", "json") != "json":
        problems.append('Field "schema_type" must be "json"')
    status = body.get("status_code")
    if status is not None and not 100 <= status <= 599:
        problems.append('Field "status_code" must be an HTTP status code')
    try:
        check_locale(body.get("locale", DEFAULT_LOCALE))
    except ValueError as exc:
        problems.append(f'Field "locale": {exc}')
    fields = {
        name: _custom(name, spec, problems)
        for name, spec in (body.get("custom_fields") or {}).items()
    }
    if problems:
        raise ApiError(422, "the request body is not valid", problems)
    return body | {"count": count, "custom_fields": fields}


def _custom(name: str, spec: Any, problems: list[str]) -> Any:
    """The JSON form of a custom field as the records module takes it.

    A non-empty list: choices; ``{"min": a, "max": b}``: a number between them;
    ``"faker:<provider>"``: a Faker provider; anything else: that fixed value."""
    if isinstance(spec, list):
        if not spec:
            problems.append(f'Field "custom_fields.{name}" must not be an empty array')
        return spec
    if isinstance(spec, dict) and set(spec) == {"min", "max"}:
        low, high = spec["min"], spec["max"]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high)):
            problems.append(f'Field "custom_fields.{name}": min and max must be numbers')
        elif low > high:
            problems.append(f'Field "custom_fields.{name}": min must not exceed max')
        return (low, high)
    return spec


def generate(call: Call) -> Answer:
    endpoint, coll = call.endpoint(call.args["ep_id"])
    body = _body(call)
    try:
        mounted = call.state.engine.collection(coll["slug"])
        op = mounted.operation(endpoint["operation"])
    except (CollectionNotFoundError, OperationNotFoundError):
        raise ApiError(409, "the endpoint's collection is not being served; import it") from None
    locale = body.get("locale", DEFAULT_LOCALE)
    spec = mounted.spec
    generator = (
        mounted.responder.generator
        if locale == DEFAULT_LOCALE
        else SchemaGenerator(spec.document, spec.version, locale=locale)
    )
    seed = body.get("seed", call.state.engine.seed)
    try:
        schema, is_list = response_schema(spec.document, op, body.get("status_code"))
        made = records(generator, schema, body["count"], seed, body["custom_fields"])
    except (CustomFieldError, GenerationError) as exc:
        raise ApiError(422, "cannot generate data for this endpoint", [str(exc)]) from None
    generation = {
        "generation_id": new_id("gen"),
        "status": "completed",
        "records_generated": len(made),
        "data_preview": made[:PREVIEW],
        "records": made,
        "endpoint_id": endpoint["id"],
        "seed": seed,
        "locale": locale,
        "attached": _attach(call.state.engine, mounted, op, made, is_list)
        if body.get("attach")
        else [],
    }
    with _kept_lock:
        _kept[generation["generation_id"]] = (call.workspace, generation)
        while len(_kept) > KEPT_GENERATIONS:
            _kept.popitem(last=False)
    return Answer.created(generation, f"/api/generations/{generation['generation_id']}")


def _attach(
    engine: Engine, mounted: Collection, op: Operation, made: list[Any], is_list: bool
) -> list[str]:
    """Serve ``made`` from ``op`` and its resource sibling; the operation names attached.

    A list (``GET /pets``) shares its records with the get-by-id below it
    (``GET /pets/{petId}``), and a get-by-id with the list above it.
    """
    names = [op.name]
    for other in mounted.spec.operations:
        if other.method != "GET" or other.name == op.name:
            continue
        parent, _, last = other.path.rpartition("/")
        child = is_list and parent == op.path and last.startswith("{")
        above = not is_list and op.path.rpartition("/")[0] == other.path
        if child or above:
            names.append(other.name)
    engine.attach(mounted.slug, names, made)
    return names


def show(call: Call) -> Answer:
    gen_id = call.args["gen_id"]
    with _kept_lock:
        found = _kept.get(gen_id)
    if found is None or found[0] != call.workspace:
        raise ApiError(404, f"no generation {gen_id!r} (the latest {KEPT_GENERATIONS} are kept)")
    return Answer(found[1])


ROUTES = [
    Route("/api/endpoints/<ep_id>/generate-data", ("POST",), generate),
    Route("/api/generations/<gen_id>", ("GET",), show),
]
