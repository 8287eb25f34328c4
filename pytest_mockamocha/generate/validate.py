"""Validation of generated values with ``openapi_schema_validator``, refs resolved in the document.

One ``Checker`` per document, version and direction. Its validators derive from
``OAS30ReadValidator``/``OAS30WriteValidator`` (3.0) or ``OAS31Validator`` (3.1), with
``required`` made to skip a missing readOnly (request) or writeOnly (response) property
even when the property schema is a ``$ref``, and the presence of such a property refused
in 3.1 too. The document is registered in a ``referencing.Registry`` so ``#/components/...``
resolves from any sub-schema. Formats are checked with the library's own checkers (what
openapi-core uses too). Validators are cached per schema object.

``discriminator`` is honoured as OpenAPI means it (``Discriminators``, shared with the
openapi-core path): next to ``oneOf``/``anyOf`` the discriminating value picks the one branch
to validate against (``mapping`` first, else the ``$ref``'d component's name); on a base
schema that subtypes extend through ``allOf``, the value picks the subtype, and a subtype
accepts only values naming itself or one of its own subtypes. Schemas without a
discriminator take the library's keywords unchanged.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from jsonschema import FormatChecker, ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import Draft4Validator, extend
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    OAS31Validator,
)
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from pytest_mockamocha._regex import PatternTimeout, search
from pytest_mockamocha.errors import RefError
from pytest_mockamocha.generate.refs import Refs, Schema
from pytest_mockamocha.spec import pointer as jp

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


def multiple_of(validator: Any, step: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """``multipleOf`` in decimal arithmetic, as a reader of the schema means it: 19.99 is a
    multiple of 0.01. jsonschema divides binary floats (19.99 / 0.01 = 1998.9999...) and
    would refuse most prices a client sends."""
    if not validator.is_type(instance, "number") or not validator.is_type(step, "number"):
        return
    if isinstance(step, float) or isinstance(instance, float):
        try:
            quotient = Decimal(str(instance)) / Decimal(str(step))
            failed = quotient != quotient.to_integral_value()
        except (InvalidOperation, ArithmeticError):  # inf, nan, a zero step
            failed = True
    else:
        failed = bool(step) and instance % step != 0
    if failed:
        yield ValidationError(f"{instance!r} is not a multiple of {step!r}")


def pattern(validator: Any, patrn: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """``pattern`` matched in bounded time (``_regex.search``): a document's pattern that
    backtracks without end refuses the value instead of freezing the server."""
    if not validator.is_type(instance, "string") or not isinstance(patrn, str):
        return
    try:
        if not search(patrn, instance):
            yield ValidationError(f"{instance!r} does not match {patrn!r}")
    except PatternTimeout as exc:
        yield ValidationError(str(exc))


def pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """``patternProperties`` with each name matched in bounded time."""
    if not validator.is_type(instance, "object"):
        return
    for patrn, subschema in patterns.items():
        for name, value in instance.items():
            try:
                if search(patrn, name):
                    yield from validator.descend(value, subschema, path=name, schema_path=patrn)
            except PatternTimeout as exc:
                yield ValidationError(str(exc), path=deque([name]))


def additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """``additionalProperties``, telling names that ``patternProperties`` covers in bounded
    time (jsonschema joins the patterns into one ``re.search``)."""
    if not validator.is_type(instance, "object"):
        return
    declared = schema.get("properties") or {}
    patterns = [p for p in (schema.get("patternProperties") or {}) if isinstance(p, str)]
    extras: list[str] = []
    for name in instance:
        if name in declared:
            continue
        try:
            if any(search(p, name) for p in patterns):
                continue
        except PatternTimeout as exc:
            yield ValidationError(str(exc), path=deque([name]))
            continue
        extras.append(name)
    if not extras:
        return
    if validator.is_type(extra, "object"):
        for name in extras:
            yield from validator.descend(instance[name], extra, path=name)
    elif extra is False:
        listed = ", ".join(repr(name) for name in sorted(extras))
        verb = "was" if len(extras) == 1 else "were"
        yield ValidationError(f"Additional properties are not allowed ({listed} {verb} unexpected)")


#: keywords every validator of ours uses in place of the library's: decimal ``multipleOf``
#: and patterns matched in bounded time
BOUNDED_KEYWORDS: dict[str, Keyword] = {
    "multipleOf": multiple_of,
    "pattern": pattern,
    "patternProperties": pattern_properties,
    "additionalProperties": additional_properties,
}


_SAFE_FORMATS: dict[int, tuple[FormatChecker, FormatChecker]] = {}


def safe_formats(checker: FormatChecker) -> FormatChecker:
    """``checker`` with its ``byte`` check refusing a string that is not ASCII, where the
    library's raised UnicodeEncodeError (a request body's "é" in a base64 field answered
    500). Built once per checker; the library's own is left as it is."""
    found = _SAFE_FORMATS.get(id(checker))
    if found is not None and found[0] is checker:
        return found[1]
    safe = copy.copy(checker)
    safe.checkers = dict(checker.checkers)
    if "byte" in safe.checkers:
        check, raises = safe.checkers["byte"]
        caught = raises if isinstance(raises, tuple) else (raises,)
        safe.checkers["byte"] = (check, (*caught, UnicodeError))
    _SAFE_FORMATS[id(checker)] = (checker, safe)
    return safe


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
        tagged = direction == "response"
        keywords.update(Discriminators(refs, tagged=tagged).keywords(base))
        keywords.update(BOUNDED_KEYWORDS)
        cls = extend(base, keywords)
        spec = DRAFT202012 if v31 else DRAFT4
        resource: Resource[Any] = spec.create_resource(refs.document)
        registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
        checker = safe_formats(base.FORMAT_CHECKER)
        self._root = cls(refs.document, registry=registry, format_checker=checker)
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


#: jsonschema's own combinators, without the OpenAPI library's discriminator handling.
_PLAIN: dict[str, Keyword] = {k: Draft4Validator.VALIDATORS[k] for k in ("oneOf", "anyOf", "allOf")}
_COMPONENTS = "#/components/schemas/"
#: How deep ``allOf`` chains are followed when asking whether one schema extends another.
_MAX_DEPTH = 32


class _Table:
    """What one discriminator accepts: each value and the schema it selects (``None`` when
    the mapping points at nothing), in the order they are listed in messages."""

    __slots__ = ("aliases", "owner", "prop", "values")

    def __init__(self, owner: Mapping[str, Any], prop: str) -> None:
        self.owner = owner  # kept so a reused id() cannot return another schema's table
        self.prop = prop
        self.values: dict[str, Schema | None] = {}
        #: component names of mapped schemas: accepted too (implicit mapping, as the
        #: OpenAPI library and the generator do), but not listed
        self.aliases: dict[str, Schema] = {}

    def get(self, tag: Any) -> Schema | None:
        """The schema ``tag`` selects, or None."""
        if not isinstance(tag, str):
            return None
        found = self.values.get(tag)
        return found if found is not None else self.aliases.get(tag)

    def refused(self, tag: Any) -> ValidationError:
        listed = ", ".join(self.values) or "none"
        return ValidationError(
            f"{tag!r} is not one of the discriminator's values ({listed})",
            path=deque([self.prop]),
        )


class Discriminators:
    """``oneOf``/``anyOf``/``allOf``/``discriminator`` keywords that honour OpenAPI's
    discriminator for the schemas of one document (see the module docstring)."""

    def __init__(self, refs: Refs, *, tagged: bool = False) -> None:
        self.refs = refs
        #: answers: a value of ``oneOf``/``anyOf`` with a discriminator must carry its
        #: property (OpenAPI: it MUST be present in the payload; openapi-core refuses one
        #: without). Requests may leave it out where no branch requires it.
        self.tagged = tagged
        self._tables: dict[int, _Table] = {}
        self._bases: dict[int, tuple[Mapping[str, Any], tuple[Any, ...]]] = {}
        self._subtypes: dict[int, list[tuple[str, Mapping[str, Any]]]] | None = None
        self._stripped: dict[int, tuple[Mapping[str, Any], Mapping[str, Any]]] = {}

    def keywords(self, base: Any) -> dict[str, Keyword]:
        """The four keywords, falling back to ``base``'s own where no discriminator is."""
        one_of, any_of = base.VALIDATORS["oneOf"], base.VALIDATORS["anyOf"]
        all_of = base.VALIDATORS["allOf"]

        def oneOf(validator: Any, branches: Any, instance: Any, schema: Any) -> Any:
            if "discriminator" not in schema:
                return one_of(validator, branches, instance, schema)
            return self._choose("oneOf", validator, branches, instance, schema)

        def anyOf(validator: Any, branches: Any, instance: Any, schema: Any) -> Any:
            if "discriminator" not in schema:
                return any_of(validator, branches, instance, schema)
            return self._choose("anyOf", validator, branches, instance, schema)

        def allOf(validator: Any, members: Any, instance: Any, schema: Any) -> Any:
            found = self._bases.get(id(schema))
            if found is None or found[0] is not schema:
                found = self._bases[id(schema)] = (schema, self._base_refs(schema, members))
            if not found[1] and "discriminator" not in schema:
                return all_of(validator, members, instance, schema)
            return self._extend(validator, members, instance, schema, found[1])

        def discriminator(validator: Any, tag: Any, instance: Any, schema: Any) -> Any:
            if "oneOf" in schema or "anyOf" in schema or not isinstance(tag, Mapping):
                return ()
            return self._dispatch(validator, instance, schema)

        return {"oneOf": oneOf, "anyOf": anyOf, "allOf": allOf, "discriminator": discriminator}

    # -- oneOf / anyOf -------------------------------------------------------------------
    def _choose(
        self, kind: str, validator: Any, branches: Any, instance: Any, schema: Any
    ) -> Iterator[ValidationError]:
        table = self._table(schema, branches)
        if table is None or not validator.is_type(instance, "object"):
            yield from _PLAIN[kind](validator, branches, instance, schema)
            return
        if table.prop not in instance:
            # an answer must carry it, where some value is there to carry
            tagged = self.tagged and any(v is not None for v in table.values.values())
            if tagged or self._requires(schema, table.prop, branches):
                yield ValidationError(f"the discriminator property {table.prop!r} is missing")
            else:
                yield from _PLAIN[kind](validator, branches, instance, schema)
            return
        tag = instance[table.prop]
        target = table.get(tag)
        if target is None:
            yield self._unmapped(table, tag)
            return
        yield from validator.descend(instance, target)

    def _unmapped(self, table: _Table, tag: Any) -> ValidationError:
        if isinstance(tag, str) and tag in table.values:
            return ValidationError(
                f"the discriminator's mapping of {tag!r} points at no schema",
                path=deque([table.prop]),
            )
        return table.refused(tag)

    def _table(self, schema: Mapping[str, Any], branches: Any) -> _Table | None:
        """The values a discriminator accepts: ``mapping`` keys, then the component names
        of ``$ref`` branches (or, for a base schema, of its ``allOf`` subtypes and itself)."""
        found = self._tables.get(id(schema))
        if found is not None and found.owner is schema:
            return found
        spec = schema.get("discriminator")
        prop = spec.get("propertyName") if isinstance(spec, Mapping) else None
        if not isinstance(prop, str):
            return None
        table = _Table(schema, prop)
        mapping = spec.get("mapping") if isinstance(spec, Mapping) else None
        # (schema to descend into, its resolved target) per candidate
        candidates: list[tuple[Schema, Any, str]] = []
        if isinstance(branches, list):
            for branch in branches:
                ref = branch.get("$ref") if isinstance(branch, Mapping) else None
                candidates.append((branch, self._resolve(ref), _name(ref)))
        else:
            candidates.append((schema, schema, self.refs.component_name(schema)))
            for name, sub in self._subtypes_of(schema):
                candidates.append((sub, sub, name))
        mapped: set[int] = set()
        for key, value in (mapping or {}).items() if isinstance(mapping, Mapping) else ():
            target = self._resolve(_as_ref(value)) if isinstance(value, str) else None
            chosen: Schema | None = None
            for use, resolved, _ in candidates:
                if target is not None and resolved is target:
                    chosen = use
                    break
            if chosen is None and target is not None:
                chosen = {"$ref": _as_ref(value)}
            if target is not None:
                mapped.add(id(target))
            table.values[str(key)] = chosen
        for use, resolved, name in candidates:
            if name and name not in table.values:
                if id(resolved) in mapped:
                    table.aliases[name] = use
                else:
                    table.values[name] = use
        self._tables[id(schema)] = table
        return table

    def _requires(self, schema: Mapping[str, Any], prop: str, branches: Any) -> bool:
        """Whether ``prop`` is required by ``schema`` itself or by every branch."""
        if _required_here(self, schema, prop, 0):
            return True
        members = (
            [b for b in branches if isinstance(b, Mapping)] if isinstance(branches, list) else []
        )
        return bool(members) and all(_required_here(self, b, prop, 0) for b in members)

    # -- a base schema and its allOf subtypes ------------------------------------------
    def _dispatch(
        self, validator: Any, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        """A base schema validated directly: the value's subtype is validated too."""
        if not validator.is_type(instance, "object"):
            return
        table = self._table(schema, None)
        if table is None or table.prop not in instance:
            return  # the base's own ``required`` reports a missing property
        target = table.get(instance[table.prop])
        if target is None:
            # a value naming no subtype is validated as the base alone: the generator
            # itself writes such values for a base schema handed over without its $ref
            return
        resolved = self._resolve(target.get("$ref")) if isinstance(target, Mapping) else None
        concrete = resolved if resolved is not None else target
        if concrete is schema or not isinstance(concrete, Mapping):
            return
        # the subtype without its reference back to this base: the base's own keywords
        # are checked beside this one already
        members = concrete.get("allOf")
        if isinstance(members, list):
            kept = [m for m in members if self._resolve_member(m) is not schema]
            concrete = (
                {**concrete, "allOf": kept}
                if kept
                else {k: v for k, v in concrete.items() if k != "allOf"}
            )
        yield from validator.descend(instance, concrete)

    def _extend(
        self,
        validator: Any,
        members: Any,
        instance: Any,
        schema: Mapping[str, Any],
        bases: tuple[Any, ...],
    ) -> Iterator[ValidationError]:
        """``allOf`` of a subtype: its bases without their dispatch, and the value's
        discriminating property not naming another branch of the hierarchy (a sibling
        subtype): this schema, one of its own subtypes or bases, or a value the base does
        not know (a ``oneOf``/``anyOf`` mapping chose this schema by it) are accepted."""
        if not bases:
            yield from _PLAIN["allOf"](validator, members, instance, schema)
            return
        replaced = {id(member): base for member, base in bases}
        for index, member in enumerate(members):
            base = replaced.get(id(member))
            if base is None:
                yield from validator.descend(instance, member, schema_path=index)
                continue
            if validator.is_type(instance, "object"):
                table = self._table(base, None)
                if table is not None and table.prop in instance:
                    tag = instance[table.prop]
                    target = table.get(tag)
                    # a value this base does not know was chosen by a oneOf/anyOf
                    # mapping (or is reported where the base is validated directly)
                    if (
                        target is not None
                        and not self._extends(target, schema)
                        and not self._extends(schema, target)
                    ):
                        yield ValidationError(
                            f"{tag!r} selects {_describe(self.refs, target)}, not "
                            f"{_describe(self.refs, schema)}",
                            path=deque([table.prop]),
                        )
            yield from validator.descend(instance, self._strip(base), schema_path=index)

    def _base_refs(self, schema: Mapping[str, Any], members: Any) -> tuple[Any, ...]:
        """(member, base) for each ``allOf`` member that is a ``$ref`` to a base schema
        (a lone discriminator) when ``schema`` is a named component: inline extensions keep
        the base's own dispatch."""
        if not self.refs.in_components(schema) or not isinstance(members, list):
            return ()
        found = []
        for member in members:
            base = self._resolve_member(member)
            if isinstance(base, Mapping) and _lone(base):
                found.append((member, base))
        return tuple(found)

    def _strip(self, base: Mapping[str, Any]) -> Mapping[str, Any]:
        found = self._stripped.get(id(base))
        if found is None or found[0] is not base:
            found = (base, {k: v for k, v in base.items() if k != "discriminator"})
            self._stripped[id(base)] = found
        return found[1]

    def _extends(self, target: Any, schema: Any) -> bool:
        """Whether ``target`` is ``schema`` or reaches it through ``allOf`` references."""
        stack: list[tuple[Any, int]] = [(target, 0)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
                node = self._resolve(node["$ref"])
            if node is schema:
                return True
            if not isinstance(node, Mapping) or depth > _MAX_DEPTH:
                continue
            members = node.get("allOf")
            if isinstance(members, list):
                stack.extend((m, depth + 1) for m in members)
        return False

    def _subtypes_of(self, base: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
        """Components whose ``allOf`` references ``base`` directly, by name."""
        if self._subtypes is None:
            index: dict[int, list[tuple[str, Mapping[str, Any]]]] = {}
            components = self.refs.document.get("components")
            schemas = components.get("schemas") if isinstance(components, Mapping) else None
            for name, sub in schemas.items() if isinstance(schemas, Mapping) else ():
                members = sub.get("allOf") if isinstance(sub, Mapping) else None
                for member in members if isinstance(members, list) else ():
                    target = self._resolve_member(member)
                    if target is not None and target is not sub:
                        index.setdefault(id(target), []).append((str(name), sub))
            self._subtypes = index
        return self._subtypes.get(id(base), [])

    def _resolve_member(self, member: Any) -> Any:
        ref = member.get("$ref") if isinstance(member, Mapping) else None
        return self._resolve(ref)

    def _resolve(self, ref: Any) -> Any:
        if not isinstance(ref, str):
            return None
        try:
            return self.refs.resolve(ref)
        except RefError:
            return None


def _lone(schema: Mapping[str, Any]) -> bool:
    """A base schema: a discriminator with no ``oneOf``/``anyOf`` beside it."""
    tag = schema.get("discriminator")
    return (
        isinstance(tag, Mapping)
        and isinstance(tag.get("propertyName"), str)
        and "oneOf" not in schema
        and "anyOf" not in schema
    )


def _required_here(owner: Discriminators, schema: Any, prop: str, depth: int) -> bool:
    """Whether ``schema`` (or a ``$ref``/``allOf`` member of it) lists ``prop`` as required."""
    if isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
        schema = owner._resolve(schema["$ref"])
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return False
    required = schema.get("required")
    if isinstance(required, list) and prop in required:
        return True
    members = schema.get("allOf")
    return isinstance(members, list) and any(
        _required_here(owner, m, prop, depth + 1) for m in members
    )


def _as_ref(value: str) -> str:
    """A mapping value: a ``$ref`` as it is, a bare schema name as its component's ref."""
    return value if "#" in value or "/" in value else _COMPONENTS + value


def _name(ref: Any) -> str:
    """The component name a ``#/components/schemas/...`` ref or place names, else ''."""
    if isinstance(ref, str) and ref.startswith(_COMPONENTS):
        tokens = jp.split(ref[1:])
        return str(tokens[-1]) if len(tokens) == 3 else ""
    return ""


def _describe(refs: Refs, schema: Any) -> str:
    if isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
        name = _name(schema["$ref"])
        if name:
            return name
        schema = refs.resolve(schema["$ref"])
    return refs.component_name(schema) or "this schema"
