"""Examples declared in a spec, checked against their schemas before they are ever served."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pytest_mockamocha.engine.media import is_xml
from pytest_mockamocha.engine.validate.fastcheck import is_xml_text
from pytest_mockamocha.spec import pointer as jp
from pytest_mockamocha.spec.check import Problem
from pytest_mockamocha.spec.model import Operation

if TYPE_CHECKING:
    from pytest_mockamocha.spec.cache import ExampleVerdicts

_NONE = object()


class ExampleBook:
    """Finds valid examples of an operation's responses; remembers the invalid ones."""

    def __init__(
        self,
        deref: Callable[[Any], Any],
        is_valid: Callable[[Any, Any], bool],
        verdicts: ExampleVerdicts | None = None,
    ):
        self._deref = deref
        self._is_valid = is_valid
        #: verdicts kept from earlier runs on this document (None: decide every time)
        self._verdicts = verdicts
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str, str, str], Any] = {}
        self.problems: dict[str, Problem] = {}

    def default(self, op: Operation, status: str, media: str) -> Any:
        """The first valid example for this response media type, else ``NO_EXAMPLE``."""
        return self._cached(op, status, media, "", self._find_default)

    def named(self, op: Operation, status: str, media: str, name: str) -> Any:
        """The valid example called ``name``, else ``NO_EXAMPLE``."""
        return self._cached(op, status, media, name, self._find_named)

    def declared(self, op: Operation, status: str, media: str) -> Any:
        """The first example declared for this response media type, valid or not (for a
        schema no value satisfies), else ``NO_EXAMPLE``."""
        node = self._media(op, status, media)
        if "example" in node:
            return node["example"]
        examples = node.get("examples")
        for raw in examples.values() if isinstance(examples, dict) else ():
            example = self._deref(raw)
            if isinstance(example, dict) and "value" in example:
                return example["value"]
        schema = self._deref(node.get("schema"))
        if isinstance(schema, dict):
            if "example" in schema:
                return schema["example"]
            listed = schema.get("examples")
            if isinstance(listed, list) and listed:
                return listed[0]
        return NO_EXAMPLE

    def names(self, op: Operation, status: str, media: str) -> list[str]:
        """The names of the ``examples`` declared for this response media type."""
        examples = self._media(op, status, media).get("examples")
        return list(examples) if isinstance(examples, dict) else []

    def _cached(
        self,
        op: Operation,
        status: str,
        media: str,
        name: str,
        find: Callable[[Operation, str, str, str], Any],
    ) -> Any:
        key = (op.name, status, media, name)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        found = find(op, status, media, name)
        with self._lock:
            self._cache[key] = found
        return found

    def _media(self, op: Operation, status: str, media: str) -> Mapping[str, Any]:
        response = op.responses.get(status) or {}
        content = response.get("content") if isinstance(response, dict) else None
        node = content.get(media) if isinstance(content, dict) else None
        return node if isinstance(node, dict) else {}

    def _find_default(self, op: Operation, status: str, media: str, _: str) -> Any:
        node = self._media(op, status, media)
        schema = node.get("schema")
        at = jp.join(op.pointer, "responses", status, "content", media)
        if "example" in node:
            value = self._checked(schema, node["example"], jp.join(at, "example"), media)
            if value is not _NONE:
                return value
        examples = node.get("examples")
        if isinstance(examples, dict):
            for ex_name in examples:
                value = self._find_named(op, status, media, ex_name)
                if value is not NO_EXAMPLE:
                    return value
        return self._from_schema(schema, jp.join(at, "schema"))

    def _find_named(self, op: Operation, status: str, media: str, name: str) -> Any:
        node = self._media(op, status, media)
        examples = node.get("examples")
        if not isinstance(examples, dict) or name not in examples:
            return NO_EXAMPLE
        example = self._deref(examples[name])
        if not isinstance(example, dict) or "value" not in example:
            return NO_EXAMPLE  # externalValue is never fetched
        at = jp.join(op.pointer, "responses", status, "content", media, "examples", name)
        value = self._checked(node.get("schema"), example["value"], at, media)
        return NO_EXAMPLE if value is _NONE else value

    def _from_schema(self, schema: Any, at: str) -> Any:
        schema = self._deref(schema)
        if not isinstance(schema, dict):
            return NO_EXAMPLE
        if "example" in schema:
            value = self._checked(schema, schema["example"], jp.join(at, "example"))
            if value is not _NONE:
                return value
        listed = schema.get("examples")
        if isinstance(listed, list) and listed:
            value = self._checked(schema, listed[0], jp.join(at, "examples", 0))
            if value is not _NONE:
                return value
        return NO_EXAMPLE

    def _checked(self, schema: Any, value: Any, at: str, media: str = "") -> Any:
        # an XML example written as text: the schema describes its elements, not the text
        as_text = is_xml(media) and is_xml_text(value)
        if schema is None or as_text or self._valid(schema, value, at):
            return value
        with self._lock:
            self.problems.setdefault(
                at,
                Problem(
                    at,
                    "example does not match its schema; generated data is served instead",
                    fatal=False,
                ),
            )
        return _NONE

    def _valid(self, schema: Any, value: Any, at: str) -> bool:
        """Whether the example at ``at`` satisfies ``schema``: an earlier run's verdict when
        one is kept, else decided (and kept)."""
        if self._verdicts is None:
            return self._is_valid(schema, value)
        known = self._verdicts.get(at)
        if known is None:
            known = self._is_valid(schema, value)
            self._verdicts.put(at, known)
        return known


NO_EXAMPLE: Any = type("NoExample", (), {"__repr__": lambda self: "NO_EXAMPLE"})()
