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
        self._components: set[int] | None = None
        self._names: dict[int, str] | None = None

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

    def in_components(self, schema: object) -> bool:
        """Whether ``schema`` lies under ``#/components/schemas`` (at any depth).

        Kept as a set of identities: the pointers of a whole large document (``place_of``)
        cost ~21 MB on GitHub's, and validation asks this of every ``allOf``."""
        if self._components is None:
            self._components = _ids_under(self._schemas())
        return id(schema) in self._components

    def component_name(self, schema: object) -> str:
        """The name of ``schema`` when it is a named component (``#/components/schemas/X``),
        else ''."""
        if self._names is None:
            self._names = {id(v): str(k) for k, v in self._schemas().items()}
        return self._names.get(id(schema), "")

    def _schemas(self) -> Mapping[str, Any]:
        components = self.document.get("components")
        schemas = components.get("schemas") if isinstance(components, Mapping) else None
        return schemas if isinstance(schemas, Mapping) else {}

    def place_of(self, schema: object) -> str | None:
        """The JSON pointer (``#/...``) of ``schema`` inside the document, if it is there.

        Indexes the whole document on first use: for messages, not for every request."""
        if self._places is None:
            self._places = _index(self.document)
        return self._places.get(id(schema))


def _ids_under(root: Mapping[str, Any]) -> set[int]:
    """The identity of every mapping and list inside ``root`` (not ``root`` itself)."""
    found: set[int] = set()
    stack = [v for v in root.values() if isinstance(v, (Mapping, list))]
    while stack:
        node = stack.pop()
        if id(node) in found:
            continue
        found.add(id(node))
        values = node.values() if isinstance(node, Mapping) else node
        stack.extend(v for v in values if isinstance(v, (Mapping, list)))
    return found


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
