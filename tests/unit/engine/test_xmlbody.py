"""Values written as XML the way OpenAPI's ``xml`` object describes (engine/respond/xmlbody)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from pytest_mockamocha.engine.respond.xmlbody import to_xml
from pytest_mockamocha.spec.loader import deref

DOCUMENT: dict[str, Any] = {
    "components": {
        "schemas": {
            "Named": {"type": "object", "properties": {"label": {"xml": {"name": "Label"}}}},
            "Animal": {
                "allOf": [
                    {"$ref": "#/components/schemas/Named"},
                    {"properties": {"legs": {"type": "integer", "xml": {"attribute": True}}}},
                ]
            },
        }
    }
}


def written(value: Any, schema: Any) -> ElementTree.Element:
    text = to_xml(value, schema, lambda node: deref(DOCUMENT, node))
    assert text.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    return ElementTree.fromstring(text)


def test_names_come_from_hints_then_the_component_then_root() -> None:
    assert written({}, {"$ref": "#/components/schemas/Animal"}).tag == "Animal"
    assert written({}, {"type": "object", "xml": {"name": "thing"}}).tag == "thing"
    assert written({}, {"type": "object"}).tag == "root"
    assert [c.tag for c in written([1, 2], {"type": "array", "items": {"type": "integer"}})] == [
        "item",
        "item",
    ]


def test_hints_inside_composition_apply() -> None:
    animal = written({"label": "cat", "legs": 4}, {"$ref": "#/components/schemas/Animal"})
    assert animal.attrib == {"legs": "4"}
    assert animal.findtext("Label") == "cat"


def test_arrays_wrapped_and_not() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "array", "xml": {"name": "ignored"}, "items": {"type": "string"}},
            "b": {"type": "array", "xml": {"wrapped": True, "name": "bs"}, "items": {}},
        },
    }
    root = written({"a": ["x", "y"], "b": [1]}, schema)
    assert [(c.tag, c.text) for c in root.findall("a")] == [("a", "x"), ("a", "y")]
    assert [(c.tag, c.text) for c in root.find("bs") or []] == [("b", "1")]
    assert root.find("ignored") is None


def test_scalars_nulls_and_odd_keys() -> None:
    root = written(
        {"ok": True, "off": False, "n": 1.5, "none": None, "1st key": "v", "deep": {"x": [1]}},
        {"type": "object"},
    )
    assert root.findtext("ok") == "true"
    assert root.findtext("off") == "false"
    assert root.findtext("n") == "1.5"
    assert root.find("none") is not None
    assert root.findtext("none") == ""
    assert root.findtext("_1st_key") == "v"
    assert root.find("deep/x").text == "1"  # type: ignore[union-attr]


def test_text_is_escaped() -> None:
    root = written({"t": "<b> & </b>"}, {"type": "object"})
    assert root.findtext("t") == "<b> & </b>"


def test_a_namespace_without_prefix_is_the_default_one() -> None:
    root = written({}, {"type": "object", "xml": {"name": "r", "namespace": "urn:x"}})
    assert root.tag == "{urn:x}r"
