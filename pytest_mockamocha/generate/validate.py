"""Validation of generated values with ``openapi_schema_validator``, refs resolved in the document.

One ``Checker`` per document, version and direction. Its validators derive from
``OAS30ReadValidator``/``OAS30WriteValidator`` (3.0) or ``OAS31Validator`` (3.1), with
``required`` made to skip a missing readOnly (request) or writeOnly (response) property
even when the property schema is a ``$ref``, and the presence of such a property refused
in 3.1 too. The document is registered in a ``referencing.Registry`` so ``#/components/...``
resolves from any sub-schema. Formats are checked with the library's own checkers (what
openapi-core uses too). Validators are cached per schema object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import extend
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    OAS31Validator,
)
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from pytest_mockamocha.generate.refs import Refs, Schema

#: The URI the document is registered under (refs may also name it explicitly).
DOCUMENT_URI = "urn:mockamocha:document"
Keyword = Callable[[Any, Any, Any, Mapping[str, Any]], Iterator[ValidationError]]


def _required(refs: Refs, direction: str) -> Keyword:
    """A ``required`` keyword that excuses properties hidden in ``direction``."""

    def required(
        validator: Any, names: Any, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        if not validator.is_type(instance, "object"):
            return
        props = schema.get("properties") or {}
        for name in names:
            if name not in instance and not (name in props and refs.hidden(props[name], direction)):
                yield ValidationError(f"{name!r} is a required property")

    return required


def _forbidden(flag: str) -> Keyword:
    """A keyword refusing any value under a schema carrying ``flag: true``."""

    def refuse(
        validator: Any, value: Any, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        if value is True:
            yield ValidationError(f"{flag} property present: {instance!r}")

    return refuse


class Checker:
    """Validates values against schemas of one document, version and direction."""

    def __init__(self, refs: Refs, version: str, direction: str) -> None:
        v31 = version.startswith("3.1")
        if v31:
            base: Any = OAS31Validator
            hidden_flag = "writeOnly" if direction == "response" else "readOnly"
            keywords = {
                "required": _required(refs, direction),
                hidden_flag: _forbidden(hidden_flag),
            }
        else:
            base = OAS30ReadValidator if direction == "response" else OAS30WriteValidator
            keywords = {"required": _required(refs, direction)}
        cls = extend(base, keywords)
        spec = DRAFT202012 if v31 else DRAFT4
        resource: Resource[Any] = spec.create_resource(refs.document)
        registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
        self._root = cls(refs.document, registry=registry, format_checker=base.FORMAT_CHECKER)
        self._cache: dict[int, tuple[Schema, Any]] = {}

    def validator(self, schema: Schema) -> Any:
        """The (cached) validator for ``schema``, resolving refs against the document."""
        found = self._cache.get(id(schema))
        if found is None or found[0] is not schema:
            if len(self._cache) > 4096:
                self._cache.clear()
            found = (schema, self._root.evolve(schema=schema))
            self._cache[id(schema)] = found
        return found[1]

    def valid(self, schema: Schema, value: Any) -> bool:
        """Whether ``value`` is valid against ``schema``."""
        return bool(self.validator(schema).is_valid(value))

    def error(self, schema: Schema, value: Any) -> ValidationError | None:
        """The most relevant validation error of ``value``, or None when it is valid."""
        return best_match(self.validator(schema).iter_errors(value))
