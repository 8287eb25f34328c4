"""OpenAPI schemas as plain JSON Schema (draft 7) for hypothesis-jsonschema, the fallback.

hypothesis-jsonschema knows drafts 4 to 7 and no recursive ``$ref``. The converter:

- inlines every local ``$ref`` (with its siblings, as ``allOf``), a ref met a third time
  on one path becoming ``false`` (recursion cut: optional parts disappear, required ones
  make the tier unsatisfiable and the caller reports the fast path's error);
- spells OpenAPI 3.0 as draft 7: ``nullable`` as a ``"null"`` type, boolean
  ``exclusiveMinimum``/``exclusiveMaximum`` as numbers; 3.1's ``prefixItems``,
  ``dependentRequired`` and ``dependentSchemas`` as ``items`` lists and ``dependencies``;
- applies the direction: a ``writeOnly`` (response) or ``readOnly`` (request) schema
  admits nothing, and such properties leave ``required``;
- pins discriminated ``oneOf``/``anyOf`` to the branch the validator will pick for each
  discriminator value (``handle_discriminator`` validates against that ref alone);
- renames the string formats the fast path can write to private names (``mockamocha-...``)
  whose strategies the fallback builds from those writers, and turns ``int32``/``int64``
  into bounds; other keywords (annotations, ``example``, ``x-*``) are dropped.

The result may be narrower than the schema, never wider in any way that matters: every
value drawn from it is still validated against the original schema. ``tidy`` narrows on
purpose (no undeclared properties on objects that declare some, short arrays), which keeps
fallback values readable; the caller retries without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_mockamocha.generate.refs import Refs, Schema

#: Prefix of the private format names the fallback supplies strategies for.
FORMAT_PREFIX = "mockamocha-"
#: Times one ``$ref`` may be followed on a single path before it is cut.
MAX_REPEAT = 2
#: Schema nodes a conversion may produce before it gives up (inlining can explode).
BUDGET = 20_000
#: The longest array a tidy conversion asks for when the schema sets no maximum.
TIDY_ITEMS = 5

_COPIED = (
    "enum",
    "const",
    "multipleOf",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
)
_SUBSCHEMAS = ("additionalItems", "contains", "propertyNames", "if", "then", "else", "not")
#: Keywords that make a schema only a part of what a value must satisfy.
_PARTS = frozenset(("$ref", "allOf", "anyOf", "oneOf", "dependencies", "dependentSchemas"))
#: Keywords that already say what a string looks like (a tidy one gets a plain pattern).
_SHAPED = frozenset(("pattern", "format", "enum", "const"))
#: What a tidy conversion puts where a whole schema allows any JSON value.
_PLAIN = {
    "anyOf": [
        {"type": "string", "pattern": "^[a-z]{3,10}$"},
        {"type": "integer", "minimum": 0, "maximum": 1000},
        {"type": "boolean"},
    ]
}
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_NUMBER = (int, float)


class TooBig(ValueError):
    """The converted schema would exceed ``BUDGET`` nodes."""


class Converter:
    """Converts schemas of one document, version and direction (see the module docstring)."""

    def __init__(
        self,
        refs: Refs,
        version: str,
        direction: str,
        own_formats: frozenset[str],
        *,
        tidy: bool = False,
    ) -> None:
        self.refs = refs
        self.v31 = version.startswith("3.1")
        self.direction = direction
        self.hidden_flag = "writeOnly" if direction == "response" else "readOnly"
        self.own_formats = own_formats
        self.tidy = tidy
        #: The formats renamed to private names in the conversions so far.
        self.formats: set[str] = set()
        self._budget = BUDGET

    def convert(self, schema: Schema) -> Any:
        """``schema`` as draft-7 JSON Schema without ``$ref``; ``TooBig`` when it explodes."""
        self._budget = BUDGET
        return self._node(schema, (), True)

    def _node(self, node: Any, path: tuple[str, ...], whole: bool = False) -> Any:
        """One schema converted; ``whole``: it describes a value alone (not a part of an
        ``allOf``, a condition or a branch), so a tidy conversion may close its objects."""
        if isinstance(node, bool):
            return node
        if not isinstance(node, Mapping):
            return False
        self._budget -= 1
        if self._budget < 0:
            raise TooBig(f"the schema inlines to more than {BUDGET} nodes")
        if node.get(self.hidden_flag) is True:
            return False
        parts: list[Any] = []
        ref = node.get("$ref")
        if isinstance(ref, str):
            if path.count(ref) >= MAX_REPEAT:
                return False
            alone = whole and set(node) <= {"$ref", "description", "summary"}
            parts.append(self._node(self.refs.resolve(ref), (*path, ref), alone))
        out: dict[str, Any] = {}
        self._scalars(node, out, parts)
        if self.tidy and whole and out.get("type") == "string" and not _SHAPED & set(out):
            low, high = out.get("minLength", 0), out.get("maxLength", "")
            out["pattern"] = f"^[A-Za-z0-9 ]{{{low},{high}}}$"
        self._arrays(node, out, path)
        self._objects(node, out, path, whole and not (_PARTS & set(node)))
        for key in _SUBSCHEMAS:
            if isinstance(node.get(key), (Mapping, bool)):
                out[key] = self._node(node[key], path)
        self._logic(node, out, path)
        if not parts:
            return out
        return {"allOf": [*parts, out]} if out else parts[0]

    def _scalars(self, node: Mapping[str, Any], out: dict[str, Any], parts: list[Any]) -> None:
        """Types, values, bounds and formats."""
        declared = node.get("type")
        if isinstance(declared, (str, list)):
            names = [declared] if isinstance(declared, str) else list(declared)
            if not self.v31 and node.get("nullable") is True and "null" not in names:
                names.append("null")
            out["type"] = names[0] if len(names) == 1 else names
        for key in _COPIED:
            if key in node:
                out[key] = node[key]
        for key, strict_key in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            limit, strict = node.get(key), node.get(strict_key)
            if isinstance(limit, _NUMBER) and not isinstance(limit, bool):
                out[strict_key if strict is True and not self.v31 else key] = limit
            if self.v31 and isinstance(strict, _NUMBER) and not isinstance(strict, bool):
                out[strict_key] = strict
        fmt = node.get("format")
        if isinstance(fmt, str):
            if fmt in _INT_RANGES:
                low, high = _INT_RANGES[fmt]
                parts.append({"minimum": low, "maximum": high})
            elif fmt in ("float", "double"):
                pass
            elif fmt in self.own_formats:
                out["format"] = FORMAT_PREFIX + fmt
                self.formats.add(fmt)
            else:
                out["format"] = fmt

    def _arrays(self, node: Mapping[str, Any], out: dict[str, Any], path: tuple[str, ...]) -> None:
        """``items`` (3.1 ``prefixItems`` as a list) and, when tidy, a short maximum."""
        items = node.get("items")
        prefix = node.get("prefixItems") if self.v31 else None
        if isinstance(prefix, list):
            out["items"] = [self._node(s, path, True) for s in prefix]
            if isinstance(items, (Mapping, bool)):
                out["additionalItems"] = self._node(items, path, True)
        elif isinstance(items, list) and not self.v31:
            out["items"] = [self._node(s, path, True) for s in items]
        elif isinstance(items, (Mapping, bool)):
            out["items"] = self._node(items, path, True)
        elif self.tidy and node.get("type") == "array":
            out["items"] = dict(_PLAIN)
        if self.tidy and ("items" in out or node.get("type") == "array"):
            low, high = node.get("minItems"), node.get("maxItems")
            wanted = max(low if isinstance(low, int) else 0, TIDY_ITEMS)
            out["maxItems"] = min(high, wanted) if isinstance(high, int) else wanted

    def _objects(
        self, node: Mapping[str, Any], out: dict[str, Any], path: tuple[str, ...], close: bool
    ) -> None:
        """Properties (hidden ones forbidden), ``required`` and the dependencies."""
        raw = node.get("properties")
        props: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        if props:
            out["properties"] = {
                str(name): False
                if self.refs.hidden(sub, self.direction)
                else self._node(sub, path, True)
                for name, sub in props.items()
            }
        required = node.get("required")
        if isinstance(required, list):
            out["required"] = [
                n
                for n in required
                if not (n in props and self.refs.hidden(props[n], self.direction))
            ]
        patterns = node.get("patternProperties")
        if isinstance(patterns, Mapping):
            out["patternProperties"] = {
                str(p): self._node(s, path, True) for p, s in patterns.items()
            }
        extra = node.get("additionalProperties")
        if isinstance(extra, (Mapping, bool)):
            out["additionalProperties"] = self._node(extra, path, True)
        elif self.tidy and close and not isinstance(patterns, Mapping):
            if props:
                out["additionalProperties"] = False
            elif node.get("type") == "object" or {"propertyNames", "minProperties"} & set(node):
                out["additionalProperties"] = dict(_PLAIN)
        dependencies: dict[str, Any] = {}
        keys = ("dependencies", "dependentRequired", "dependentSchemas")
        for key in keys if self.v31 else keys[:1]:
            found = node.get(key)
            if not isinstance(found, Mapping):
                continue
            for name, dep in found.items():
                value = list(dep) if isinstance(dep, list) else self._node(dep, path)
                if name in dependencies:
                    value = {"allOf": [_as_schema(dependencies[name]), _as_schema(value)]}
                dependencies[str(name)] = value
        if dependencies:
            out["dependencies"] = dependencies

    def _logic(self, node: Mapping[str, Any], out: dict[str, Any], path: tuple[str, ...]) -> None:
        """``allOf``, and ``oneOf``/``anyOf`` (pinned per value when discriminated)."""
        if isinstance(node.get("allOf"), list):
            out["allOf"] = [self._node(s, path) for s in node["allOf"]]
        tag = node.get("discriminator")
        for kind in ("oneOf", "anyOf"):
            branches = node.get(kind)
            if not isinstance(branches, list) or not branches:
                continue
            if isinstance(tag, Mapping) and isinstance(tag.get("propertyName"), str):
                out["anyOf"] = self._discriminated(tag, branches, path)
            else:
                out[kind] = [self._node(s, path) for s in branches]

    def _discriminated(
        self, tag: Mapping[str, Any], branches: list[Any], path: tuple[str, ...]
    ) -> list[Any]:
        """One branch per discriminator value: its ref's schema with the property pinned."""
        prop = tag["propertyName"]
        mapping = tag.get("mapping")
        mapping = mapping if isinstance(mapping, Mapping) else {}
        targets: dict[str, str] = {str(k): v for k, v in mapping.items() if isinstance(v, str)}
        for branch in branches:
            ref = branch.get("$ref") if isinstance(branch, Mapping) else None
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if "~" not in name and "%" not in name:
                    targets.setdefault(name, ref)
        out: list[Any] = []
        for value, ref in targets.items():
            pin = {"properties": {prop: {"const": value}}, "required": [prop]}
            out.append({"allOf": [self._node({"$ref": ref}, path), pin]})
        return out or [False]


def _as_schema(dependency: Any) -> Any:
    """A ``dependencies`` value (a list of names or a schema) as a schema."""
    return {"required": dependency} if isinstance(dependency, list) else dependency
