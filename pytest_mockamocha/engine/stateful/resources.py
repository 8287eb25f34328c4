"""The resources of a spec: collection/item path pairs that stateful mode keeps records of.

A pair is a path ``P`` and an item path ``P/{param}`` whose last segment is one template,
nested ones included (``/owners/{ownerId}/pets`` and ``/owners/{ownerId}/pets/{petId}``:
the parent's template values scope the records). The item schema comes from the item's
GET answer, else from the list's items, else from what the POST answers; the id property
is the item's property named like the param (``petId``), else ``id``, else the param
without its ``Id``/``_id`` suffix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_mockamocha.engine.media import is_json
from pytest_mockamocha.spec.loader import deref
from pytest_mockamocha.spec.model import ApiSpec, Operation

_ITEM_SEGMENT = re.compile(r"^\{([^{}]+)\}$")
_TEMPLATE = re.compile(r"{([^{}]+)}")
#: wrapper properties that tell how many records a list has in all
TOTAL_NAMES = frozenset(
    (
        "total",
        "count",
        "total_count",
        "totalCount",
        "total_items",
        "totalItems",
        "totalElements",
        "total_results",
        "totalResults",
        "totalRecords",
    )
)


@dataclass(frozen=True, slots=True)
class Resource:
    """One collection/item path pair and how its records look."""

    #: the collection path: ``/owners/{ownerId}/pets``
    path: str
    #: the item path: ``/owners/{ownerId}/pets/{petId}``
    item_path: str
    #: the item path's last template: ``petId``
    param: str
    #: the collection path's templates, whose values scope the records: ``("ownerId",)``
    parents: tuple[str, ...]
    #: the record property holding the id
    id_field: str
    #: integer ids (the next is the largest plus one), else generated strings
    integer_ids: bool
    id_schema: Any = field(compare=False, repr=False)
    #: the schema of one record as answered (a response-direction schema)
    item_schema: Any = field(compare=False, repr=False)
    #: the item schema's properties (``allOf`` parts merged)
    properties: Mapping[str, Any] = field(compare=False, repr=False)


def find_resources(spec: ApiSpec) -> list[Resource]:
    """Every collection/item path pair of ``spec`` with an object item schema and an id."""
    document = spec.document
    ops: dict[str, dict[str, Operation]] = {}
    for op in spec.operations:
        ops.setdefault(op.path, {})[op.method] = op
    found: list[Resource] = []
    for item_path in sorted(ops, key=lambda p: (p.count("/"), p)):
        parent, _, last = item_path.rstrip("/").rpartition("/")
        match = _ITEM_SEGMENT.match(last)
        if match is None or not parent or parent not in ops:
            continue
        resource = _resource(document, parent, item_path, match.group(1), ops)
        if resource is not None:
            found.append(resource)
    return found


def _resource(
    document: Mapping[str, Any],
    path: str,
    item_path: str,
    param: str,
    ops: Mapping[str, Mapping[str, Operation]],
) -> Resource | None:
    item_schema = _item_schema(document, ops[path], ops[item_path])
    if item_schema is None:
        return None
    properties = object_properties(document, item_schema)
    candidates = (param, "id", param.removesuffix("Id"), param.removesuffix("_id"))
    id_field = next((name for name in candidates if name and name in properties), None)
    if id_field is None:
        return None
    id_schema = deref(document, properties[id_field])
    kind = id_schema.get("type") if isinstance(id_schema, Mapping) else None
    kinds = kind if isinstance(kind, list) else [kind]
    return Resource(
        path=path,
        item_path=item_path,
        param=param,
        parents=tuple(_TEMPLATE.findall(path)),
        id_field=id_field,
        integer_ids="integer" in kinds,
        id_schema=id_schema,
        item_schema=item_schema,
        properties=properties,
    )


def _item_schema(
    document: Mapping[str, Any],
    collection: Mapping[str, Operation],
    item: Mapping[str, Operation],
) -> Any | None:
    """The record schema: the item's GET answer, the list's items, or the POST answer."""
    get = item.get("GET")
    if get is not None:
        schema = json_schema(document, get)[1]
        if _is_object(document, schema):
            return schema
    lister = collection.get("GET")
    if lister is not None:
        shape = list_shape(document, json_schema(document, lister)[1], None)
        if shape is not None:
            items = deref(document, deref(document, shape[1]).get("items"))
            if _is_object(document, items):
                return items
    post = collection.get("POST")
    if post is not None:
        schema = json_schema(document, post)[1]
        if _is_object(document, schema):
            return schema
    return None


def json_schema(
    document: Mapping[str, Any], op: Operation, key: str | None = None
) -> tuple[str | None, Any]:
    """``(media, schema)`` of the JSON content of ``op``'s ``key`` (default: success)
    response; ``(None, None)`` when it declares none."""
    key = key or op.success_status()
    response = deref(document, op.responses.get(key)) if key else None
    content = response.get("content") if isinstance(response, Mapping) else None
    if not isinstance(content, Mapping):
        return None, None
    for media, node in content.items():
        if is_json(media) and "*" not in media:
            node = deref(document, node)
            schema = node.get("schema") if isinstance(node, Mapping) else None
            return media, deref(document, schema)
    return None, None


def list_shape(
    document: Mapping[str, Any], schema: Any, item_schema: Any | None
) -> tuple[str | None, Any] | None:
    """Where a list answer keeps its records: ``(None, array schema)`` for a bare array,
    ``(property, array schema)`` for an object wrapping the array, None for neither.

    Of several array properties, the one whose items are ``item_schema`` wins, then one
    whose items are objects, then the first.
    """
    schema = deref(document, schema)
    if not isinstance(schema, Mapping):
        return None
    if _is_type(schema, "array"):
        return None, schema
    if not _is_type(schema, "object") and "properties" not in schema:
        return None
    arrays = [
        (name, deref(document, prop))
        for name, prop in object_properties(document, schema).items()
        if isinstance(deref(document, prop), Mapping) and _is_type(deref(document, prop), "array")
    ]
    if not arrays:
        return None

    def rank(entry: tuple[str, Any]) -> int:
        items = deref(document, entry[1].get("items"))
        if item_schema is not None and items is item_schema:
            return 0
        return 1 if _is_object(document, items) else 2

    return min(arrays, key=rank)


def object_properties(document: Mapping[str, Any], schema: Any) -> dict[str, Any]:
    """The properties of an object schema, with those of its ``allOf`` parts."""
    schema = deref(document, schema)
    if not isinstance(schema, Mapping):
        return {}
    found: dict[str, Any] = {}
    for part in schema.get("allOf") or ():
        found.update(object_properties(document, part))
    props = schema.get("properties")
    if isinstance(props, Mapping):
        found.update(props)
    return found


def flagged(document: Mapping[str, Any], properties: Mapping[str, Any], flag: str) -> set[str]:
    """The names of the properties marked ``flag`` (``readOnly``/``writeOnly``)."""
    return {
        name
        for name, prop in properties.items()
        if isinstance(deref(document, prop), Mapping) and deref(document, prop).get(flag) is True
    }


def restrict(resources: Iterable[Resource], names: Iterable[str]) -> list[Resource]:
    """The resources named (by collection or item path); ValueError names unknown ones."""
    chosen = list(resources)
    wanted = [str(name) for name in names]
    known = {r.path for r in chosen} | {r.item_path for r in chosen}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        available = ", ".join(sorted(r.path for r in chosen)) or "none"
        raise ValueError(
            f"no collection/item path pair for {', '.join(unknown)}; resources: {available}"
        )
    return [r for r in chosen if r.path in wanted or r.item_path in wanted]


def _is_object(document: Mapping[str, Any], schema: Any) -> bool:
    schema = deref(document, schema)
    return isinstance(schema, Mapping) and (
        _is_type(schema, "object") or bool(object_properties(document, schema))
    )


def _is_type(schema: Mapping[str, Any], name: str) -> bool:
    kind = schema.get("type")
    return kind == name or (isinstance(kind, list) and name in kind)
