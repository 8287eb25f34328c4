"""Local ``$ref`` resolution against the OpenAPI document, and where a schema sits in it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_mockamocha.errors import RefError
from pytest_mockamocha.spec import pointer as jp

Schema = Mapping[str, Any] | bool
#: How many ``$ref`` hops a chain of pure references may take before it counts as a loop.
MAX_HOPS = 64


class Refs:
    """Resolves ``#/...`` references inside one document, caching each target."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._targets: dict[str, Schema] = {}
        self._places: dict[int, str] | None = None

    def resolve(self, ref: str) -> Schema:
        """The schema ``ref`` points at; raises ``RefError`` for remote or dangling refs."""
        target = self._targets.get(ref)
        if target is None:
            target = self._lookup(ref)
            self._targets[ref] = target
        return target

    def _lookup(self, ref: str) -> Schema:
        """The uncached resolution of ``ref``."""
        if not ref.startswith("#"):
            raise RefError(f"only local $refs are supported, not {ref!r}")
        try:
            target = jp.resolve(self.document, jp.split(ref[1:]))
        except KeyError as exc:
            raise RefError(f"$ref {ref!r} points at nothing (no {exc.args[0]!r})") from None
        if not isinstance(target, (Mapping, bool)):
            raise RefError(f"$ref {ref!r} does not point at a schema")
        return target

    def hidden(self, schema: Any, direction: str) -> bool:
        """Whether a property schema is readOnly (request) or writeOnly (response).

        Follows a chain of ``$ref``s, as the ``required`` check of the validator does too.
        """
        flag = "writeOnly" if direction == "response" else "readOnly"
        for _ in range(MAX_HOPS):
            if not isinstance(schema, Mapping):
                return False
            if schema.get(flag) is True:
                return True
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                return False
            try:
                schema = self.resolve(ref)
            except RefError:
                return False
        return False

    def place_of(self, schema: object) -> str | None:
        """The JSON pointer (``#/...``) of ``schema`` inside the document, if it is there."""
        if self._places is None:
            self._places = _index(self.document)
        return self._places.get(id(schema))


def _index(document: Mapping[str, Any]) -> dict[int, str]:
    """Every mapping and list of the document, by identity, with its first-found pointer."""
    places: dict[int, str] = {}
    stack: list[tuple[Any, str]] = [(document, "#")]
    while stack:
        node, at = stack.pop()
        if id(node) in places:
            continue
        places[id(node)] = at
        if isinstance(node, Mapping):
            stack.extend(
                (v, jp.join(at, k)) for k, v in node.items() if isinstance(v, (Mapping, list))
            )
        elif isinstance(node, list):
            stack.extend(
                (v, jp.join(at, i)) for i, v in enumerate(node) if isinstance(v, (Mapping, list))
            )
    return places
