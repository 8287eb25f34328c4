"""The ``junit`` report: one testcase per operation, failing when no test covered it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any


def _case(suite: ET.Element, slug: str, op: Mapping[str, Any]) -> bool:
    case = ET.SubElement(
        suite, "testcase", classname=f"mockamocha.{slug}", name=op["name"], time="0"
    )
    ET.SubElement(case, "system-out").text = (
        f"{op['valid_hits']} valid requests of {op['hits']}; statuses returned: "
        f"{', '.join(op['statuses']) or 'none'}; never returned: "
        f"{', '.join(op['statuses_missing']) or 'none'}"
    )
    if op["valid_hits"]:
        return False
    if op["deprecated"]:
        ET.SubElement(case, "skipped", message="deprecated operation, not covered")
        return False
    ET.SubElement(
        case, "failure", message=f"{op['name']} is not covered: no valid request reached it"
    )
    return True


def render(model: Mapping[str, Any]) -> str:
    """A JUnit XML document: a testsuite per collection, a testcase per operation."""
    root = ET.Element("testsuites", name="mockamocha")
    for coll in model["collections"]:
        ops = coll["operation_list"]
        suite = ET.SubElement(root, "testsuite", name=f"mockamocha.{coll['slug']}")
        failures = sum(_case(suite, coll["slug"], op) for op in ops)
        skipped = sum(1 for op in ops if op["deprecated"] and not op["valid_hits"])
        suite.set("tests", str(len(ops)))
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
        suite.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"
