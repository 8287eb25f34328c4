"""XML answers: a value written as the schema's OpenAPI ``xml`` objects describe it.

An answer declared as ``application/xml`` (``text/xml``, ``+xml``) was sent as JSON text
under an XML Content-Type, which no XML client parses. The value, an example or generated
data, is written as elements here: element names from ``xml.name``, else the property's
name (and for the root, the component its ``$ref`` names); ``xml.attribute`` properties as
attributes; arrays repeated in place, or inside an element of their own with
``xml.wrapped``; ``xml.namespace`` and ``xml.prefix`` as ``xmlns`` attributes and prefixed
names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from xml.etree import ElementTree

Deref = Callable[[Any], Any]

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NOT_NAME = re.compile(r"[^A-Za-z0-9_.\-]")
#: how deep allOf/oneOf/anyOf are followed for property hints (a cycle stops there too)
_MAX_DEPTH = 16


def to_xml(value: Any, schema: Any, deref: Deref) -> bytes:
    """``value`` as an XML document, named and shaped as ``schema``'s ``xml`` objects say."""
    resolved = _resolved(schema, deref)
    hints = _hints(resolved)
    name = hints.get("name") or _ref_name(schema) or "root"
    root = _element(name, hints)
    if isinstance(value, list):  # a document has one root: the array's items go inside it
        items = resolved.get("items")
        item_name = _hints(_resolved(items, deref)).get("name") or _ref_name(items) or "item"
        for item in value:
            _append(root, item_name, item, items, deref)
    else:
        _fill(root, value, resolved, deref)
    return (_DECLARATION + ElementTree.tostring(root, encoding="unicode") + "\n").encode()


def _append(parent: ElementTree.Element, name: str, value: Any, schema: Any, deref: Deref) -> None:
    """``value``, the property ``name``, added to ``parent`` as its schema's hints say."""
    resolved = _resolved(schema, deref)
    hints = _hints(resolved)
    if isinstance(value, list):
        items = resolved.get("items")
        # unwrapped items repeat under the property's name unless the items name their own
        item_name = _hints(_resolved(items, deref)).get("name") or name
        holder = parent
        if hints.get("wrapped") is True:
            holder = _element(name, hints)
            parent.append(holder)
        for item in value:
            _append(holder, item_name, item, items, deref)
        return
    if hints.get("attribute") is True and not isinstance(value, dict):
        parent.set(_tag(name, hints), _text(value))
        return
    child = _element(name, hints)
    _fill(child, value, resolved, deref)
    parent.append(child)


def _fill(
    element: ElementTree.Element, value: Any, schema: Mapping[str, Any], deref: Deref
) -> None:
    if isinstance(value, dict):
        properties = _properties(schema, deref, 0)
        for key, item in value.items():
            _append(element, str(key), item, properties.get(key), deref)
    elif value is not None:
        element.text = _text(value)


def _element(name: str, hints: Mapping[str, Any]) -> ElementTree.Element:
    element = ElementTree.Element(_tag(name, hints))
    namespace = hints.get("namespace")
    if isinstance(namespace, str) and namespace:
        prefix = hints.get("prefix")
        key = f"xmlns:{_xml_name(prefix)}" if isinstance(prefix, str) and prefix else "xmlns"
        element.set(key, namespace)
    return element


def _tag(name: str, hints: Mapping[str, Any]) -> str:
    named = hints.get("name")
    tag = _xml_name(named if isinstance(named, str) and named else name)
    prefix = hints.get("prefix")
    return f"{_xml_name(prefix)}:{tag}" if isinstance(prefix, str) and prefix else tag


def _xml_name(name: str) -> str:
    """``name`` made a valid XML name: other characters become ``_``, and one that cannot
    start a name gets ``_`` before it (JSON keys may be anything)."""
    cleaned = _NOT_NAME.sub("_", name) or "_"
    if not (cleaned[0].isalpha() or cleaned[0] == "_"):
        cleaned = "_" + cleaned
    return cleaned


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return json.dumps(value, ensure_ascii=False)


def _hints(schema: Any) -> Mapping[str, Any]:
    found = schema.get("xml") if isinstance(schema, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def _resolved(schema: Any, deref: Deref) -> Mapping[str, Any]:
    found = deref(schema) if isinstance(schema, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def _ref_name(schema: Any) -> str | None:
    """The component a ``$ref`` names (``#/components/schemas/Pet`` -> ``Pet``)."""
    ref = schema.get("$ref") if isinstance(schema, Mapping) else None
    if not isinstance(ref, str) or "/" not in ref:
        return None
    return ref.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~") or None


def _properties(schema: Mapping[str, Any], deref: Deref, depth: int) -> dict[str, Any]:
    """Every property schema ``schema`` names, its composition's included (the first that
    names a property wins): only their ``xml`` hints are read."""
    found: dict[str, Any] = {}
    if depth > _MAX_DEPTH:
        return found
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        found.update(properties)
    for keyword in ("allOf", "oneOf", "anyOf"):
        members = schema.get(keyword)
        if isinstance(members, list):
            for member in members:
                for key, node in _properties(_resolved(member, deref), deref, depth + 1).items():
                    found.setdefault(key, node)
    return found
