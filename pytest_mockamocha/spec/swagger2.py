"""Convert a Swagger 2.0 document into an equivalent OpenAPI 3.0.3 one.

The conversion is pure: it reads the input and builds a new document, never touching the
file system or the network. Only the root document is converted; refs into other files
are kept as they are and bundled afterwards by the loader (a referenced file that is
itself shaped like 2.0 is not converted).

Approximations, where 3.0 has no exact equivalent: ``collectionFormat: tsv`` becomes a
comma-separated ``form``/``simple`` style (kept as ``x-collectionFormat``), and
``collectionFormat: ssv``/``pipes`` outside a query become ``simple``.
"""

from __future__ import annotations

import copy
from typing import Any

from pytest_mockamocha.errors import SpecError
from pytest_mockamocha.spec import pointer as jp

JSON = Any  # a JSON-like value: dict, list, str, int, float, bool or None
Doc = dict[str, JSON]

OPENAPI_VERSION = "3.0.3"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
DEFAULT_MEDIA = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

#: Keys of a 2.0 non-body parameter (or items/header object) that move into its ``schema``.
_SCHEMA_KEYS = (
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
)
#: Keys whose values are literal data, never converted.
_LITERAL_KEYS = frozenset({"example", "default", "enum", "x-example"})
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_SINGLES = ("not", "additionalProperties", "items")
_REF_PREFIXES = (
    ("#/definitions/", "#/components/schemas/"),
    ("#/responses/", "#/components/responses/"),
    ("#/securityDefinitions/", "#/components/securitySchemes/"),
)
_OAUTH_FLOWS = {
    "implicit": ("implicit", ("authorizationUrl",)),
    "password": ("password", ("tokenUrl",)),
    "application": ("clientCredentials", ("tokenUrl",)),
    "accessCode": ("authorizationCode", ("authorizationUrl", "tokenUrl")),
}
_COPIED_ROOT = ("tags", "externalDocs", "security")
_COPIED_OPERATION = (
    "tags",
    "summary",
    "description",
    "externalDocs",
    "operationId",
    "deprecated",
    "security",
)


def convert(doc: Doc, *, source: str) -> Doc:
    """A new OpenAPI 3.0.3 document equivalent to the Swagger 2.0 ``doc`` (left untouched)."""
    if str(doc.get("swagger")) != "2.0":
        raise SpecError(
            f"Swagger {doc.get('swagger')} documents are not supported (2.0 is)",
            source=source,
            pointer="/swagger",
        )
    return _Converter(copy.deepcopy(doc), source).document()


def _extensions(node: Doc) -> Doc:
    return {k: v for k, v in node.items() if isinstance(k, str) and k.startswith("x-")}


def _as_dict(value: JSON) -> Doc:
    return value if isinstance(value, dict) else {}


def _rewrite_ref(ref: str, body_params: set[str]) -> str:
    """``ref`` pointing at where the 2.0 target lives in the 3.0 document."""
    for old, new in _REF_PREFIXES:
        if ref.startswith(old):
            return new + ref[len(old) :]
    if ref.startswith("#/parameters/"):
        name = jp.split(ref[len("#/parameters/") :])[0]
        kind = "requestBodies" if name in body_params else "parameters"
        return f"#/components/{kind}/" + ref[len("#/parameters/") :]
    return ref


class _Converter:
    def __init__(self, doc: Doc, source: str):
        self.doc = doc
        self.source = source
        self.params = _as_dict(doc.get("parameters"))
        self.responses = _as_dict(doc.get("responses"))
        self.consumes = self._media_list(doc, "consumes", "") or [DEFAULT_MEDIA]
        self.produces = self._media_list(doc, "produces", "") or [DEFAULT_MEDIA]
        self.body_params = {
            name
            for name, p in self.params.items()
            if isinstance(p, dict) and p.get("in") in ("body", "formData")
        }

    def error(self, message: str, pointer: str) -> SpecError:
        return SpecError(message, source=self.source, pointer=pointer)

    # -- the document ---------------------------------------------------------------------
    def document(self) -> Doc:
        out: Doc = {"openapi": OPENAPI_VERSION}
        if "info" in self.doc:
            out["info"] = self.doc["info"]
        servers = self.servers()
        if servers:
            out["servers"] = servers
        out.update({k: self.doc[k] for k in _COPIED_ROOT if k in self.doc})
        out.update(_extensions(self.doc))
        paths = self.doc.get("paths")
        if "paths" in self.doc:  # a missing or wrong `paths` is reported by the loader
            out["paths"] = self.paths(paths) if isinstance(paths, dict) else paths
        components = self.components()
        if components:
            out["components"] = components
        return out

    def servers(self) -> list[Doc]:
        base = str(self.doc.get("basePath") or "")
        host = self.doc.get("host")
        if not host:
            return [{"url": base}] if base else []
        schemes = self.doc.get("schemes")
        names = [str(s) for s in schemes] if isinstance(schemes, list) and schemes else ["https"]
        return [{"url": f"{scheme}://{host}{base}"} for scheme in names]

    def _media_list(self, node: Doc, key: str, at: str) -> list[str] | None:
        value = node.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(f"`{key}` must be a list of media types", jp.join(at, key))
        return list(value)

    # -- components -----------------------------------------------------------------------
    def components(self) -> Doc:
        out: Doc = {}
        definitions = _as_dict(self.doc.get("definitions"))
        if definitions:
            out["schemas"] = {k: self.schema(v) for k, v in definitions.items()}
        params: Doc = {}
        bodies: Doc = {}
        for name, raw in self.params.items():
            at = jp.join("/parameters", name)
            if name in self.body_params:
                if raw.get("in") == "body":
                    bodies[name] = self.request_body(raw, self.consumes, at)
                else:
                    bodies[name] = self.form_body([raw], self.consumes, at)
            else:
                params[name] = self.parameter(raw, at)
        if params:
            out["parameters"] = params
        if bodies:
            out["requestBodies"] = bodies
        if self.responses:
            out["responses"] = {
                str(code): self.response(r, self.produces, jp.join("/responses", code))
                for code, r in self.responses.items()
            }
        schemes = _as_dict(self.doc.get("securityDefinitions"))
        if schemes:
            out["securitySchemes"] = {
                name: self.security_scheme(s, jp.join("/securityDefinitions", name))
                for name, s in schemes.items()
            }
        return out

    def security_scheme(self, raw: JSON, at: str) -> Doc:
        if not isinstance(raw, dict):
            raise self.error("a security definition must be a mapping", at)
        kind = raw.get("type")
        out: Doc = {}
        if kind == "basic":
            out = {"type": "http", "scheme": "basic"}
        elif kind == "apiKey":
            out = {"type": "apiKey", "name": raw.get("name"), "in": raw.get("in")}
        elif kind == "oauth2":
            out = {"type": "oauth2", "flows": self.oauth_flows(raw, at)}
        else:
            raise self.error(f"unknown security definition type {kind!r}", jp.join(at, "type"))
        if "description" in raw:
            out["description"] = raw["description"]
        out.update(_extensions(raw))
        return out

    def oauth_flows(self, raw: Doc, at: str) -> Doc:
        flow = raw.get("flow")
        if flow not in _OAUTH_FLOWS:
            raise self.error(f"unknown oauth2 flow {flow!r}", jp.join(at, "flow"))
        name, urls = _OAUTH_FLOWS[str(flow)]
        body: Doc = {key: raw.get(key, "") for key in urls}
        body["scopes"] = _as_dict(raw.get("scopes"))
        return {name: body}

    # -- paths and operations -------------------------------------------------------------
    def paths(self, paths: Doc) -> Doc:
        return {
            path: self.path_item(item, jp.join("/paths", path)) if isinstance(item, dict) else item
            for path, item in paths.items()
        }

    def path_item(self, item: Doc, at: str) -> Doc:
        out: Doc = {}
        if "$ref" in item:
            out["$ref"] = _rewrite_ref(str(item["$ref"]), self.body_params)
        shared = self.param_list(item.get("parameters"), jp.join(at, "parameters"))
        params = [p for p in shared if p["kind"] == "param"]
        if params:
            out["parameters"] = [p["value"] for p in params]
        for key, value in item.items():
            if key in HTTP_METHODS:
                out[key] = self.operation(value, shared, jp.join(at, key))
            elif key.startswith("x-"):
                out[key] = value
        return out

    def param_list(self, raw: JSON, at: str) -> list[Doc]:
        """Each parameter tagged by kind: ``param`` (3.0 parameter), ``body`` or ``form``."""
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise self.error("`parameters` must be a list", at)
        return [self.tagged(p, jp.join(at, i)) for i, p in enumerate(raw)]

    def tagged(self, raw: JSON, at: str) -> Doc:
        if not isinstance(raw, dict):
            raise self.error("a parameter must be a mapping", at)
        ref = raw.get("$ref")
        if isinstance(ref, str):
            target = self._param_target(ref)
            if target is None:
                return {"kind": "param", "key": ref, "value": {"$ref": self.ref(ref)}}
            kind = "body" if target.get("in") == "body" else "form"
            key = (str(target.get("name")), str(target.get("in")))
            return {"kind": kind, "key": key, "value": target, "ref": ref, "at": at}
        where = raw.get("in")
        key = (str(raw.get("name")), str(where))
        if where == "body":
            return {"kind": "body", "key": key, "value": raw, "at": at}
        if where == "formData":
            return {"kind": "form", "key": key, "value": raw, "at": at}
        return {"kind": "param", "key": key, "value": self.parameter(raw, at)}

    def _param_target(self, ref: str) -> Doc | None:
        """The shared body/formData parameter ``ref`` points at, else None."""
        if not ref.startswith("#/parameters/"):
            return None
        name = jp.split(ref[len("#/parameters/") :])[0]
        return self.params[name] if name in self.body_params else None

    def operation(self, raw: JSON, shared: list[Doc], at: str) -> Doc:
        if not isinstance(raw, dict):
            raise self.error("an operation must be a mapping", at)
        consumes = self._media_list(raw, "consumes", at)
        produces = self._media_list(raw, "produces", at)
        out: Doc = {k: raw[k] for k in _COPIED_OPERATION if k in raw}
        own = self.param_list(raw.get("parameters"), jp.join(at, "parameters"))
        params = [p["value"] for p in own if p["kind"] == "param"]
        if params:
            out["parameters"] = params  # path-level ones stay on the path item, as in 2.0
        body = self.operation_body(shared, own, consumes, at)
        if body is not None:
            out["requestBody"] = body
        out["responses"] = self.responses_of(raw.get("responses"), produces, at)
        out.update(_extensions(raw))
        return out

    def operation_body(
        self, shared: list[Doc], own: list[Doc], consumes: list[str] | None, at: str
    ) -> JSON:
        """The request body from body or formData parameters; the operation's own win."""
        bodies = [p for p in own if p["kind"] == "body"] or [
            p for p in shared if p["kind"] == "body"
        ]
        merged = {p["key"]: p for p in [*shared, *own] if p["kind"] == "form"}
        forms = list(merged.values())
        if bodies and forms:
            raise self.error("an operation cannot have both body and formData parameters", at)
        media = consumes if consumes is not None else self.consumes
        if bodies:
            body = bodies[-1]
            if "ref" in body and consumes in (None, self.consumes):
                return {"$ref": self.ref(body["ref"])}
            return self.request_body(body["value"], media, body["at"])
        if forms:
            return self.form_body([p["value"] for p in forms], media, forms[0]["at"])
        return None

    def ref(self, ref: str) -> str:
        return _rewrite_ref(ref, self.body_params)

    # -- parameters and request bodies ----------------------------------------------------
    def parameter(self, raw: JSON, at: str) -> Doc:
        if not isinstance(raw, dict):
            raise self.error("a parameter must be a mapping", at)
        if "$ref" in raw:
            return {"$ref": self.ref(str(raw["$ref"]))}
        where = raw.get("in")
        if where not in ("query", "header", "path", "cookie"):
            raise self.error(f"unknown parameter location {where!r}", jp.join(at, "in"))
        out: Doc = {"name": raw.get("name"), "in": where}
        for key in ("description", "required", "allowEmptyValue", "deprecated"):
            if key in raw:
                out[key] = raw[key]
        if where == "path":
            out["required"] = True
        out.update(self.style(raw, str(where)))
        out["schema"] = self.simple_schema(raw)
        if "x-example" in raw:
            out["example"] = raw["x-example"]
        out.update({k: v for k, v in _extensions(raw).items() if k != "x-example"})
        return out

    def style(self, raw: Doc, where: str) -> Doc:
        """``style``/``explode`` for a 2.0 ``collectionFormat`` (csv when not given)."""
        if raw.get("type") != "array":
            return {}
        fmt = raw.get("collectionFormat", "csv")
        query = where in ("query", "formData")
        if fmt == "multi" and query:
            return {"style": "form", "explode": True}
        if fmt == "ssv" and where == "query":
            return {"style": "spaceDelimited", "explode": False}
        if fmt == "pipes" and where == "query":
            return {"style": "pipeDelimited", "explode": False}
        out: Doc = {"style": "form", "explode": False} if query else {"style": "simple"}
        if fmt == "tsv":
            out["x-collectionFormat"] = "tsv"  # no 3.0 equivalent: served comma-separated
        return out

    def simple_schema(self, raw: Doc) -> Doc:
        """The ``schema`` of a non-body parameter, items object or header."""
        out: Doc = {k: raw[k] for k in _SCHEMA_KEYS if k in raw}
        if isinstance(out.get("items"), dict):
            out["items"] = self.simple_schema(out["items"])
        if out.get("type") == "file":
            out["type"], out["format"] = "string", "binary"
        if raw.get("x-nullable") is True:
            out["nullable"] = True
        return out

    def request_body(self, raw: Doc, media: list[str], at: str) -> Doc:
        if "schema" not in raw:
            raise self.error("a body parameter needs a `schema`", at)
        schema = self.schema(raw["schema"])
        examples = _as_dict(raw.get("x-examples"))
        content: Doc = {}
        for mime in media:
            content[mime] = {"schema": copy.deepcopy(schema)}
            if mime in examples:
                content[mime]["example"] = examples[mime]
        out: Doc = {"content": content}
        for key in ("description", "required"):
            if key in raw:
                out[key] = raw[key]
        out.update({k: v for k, v in _extensions(raw).items() if k != "x-examples"})
        return out

    def form_body(self, params: list[Doc], media: list[str], at: str) -> Doc:
        properties: Doc = {}
        required: list[str] = []
        encoding: Doc = {}
        for raw in params:
            name = str(raw.get("name"))
            prop = self.simple_schema(raw)
            if "description" in raw:
                prop["description"] = raw["description"]
            properties[name] = prop
            if raw.get("required") is True:
                required.append(name)
            style = self.style(raw, "formData")
            if style:
                encoding[name] = {k: v for k, v in style.items() if not k.startswith("x-")}
        schema: Doc = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        has_file = any(raw.get("type") == "file" for raw in params)
        kinds = [m for m in media if m in (FORM, MULTIPART)]
        if has_file:
            kinds = [MULTIPART]
        content: Doc = {}
        for mime in kinds or [FORM]:
            content[mime] = {"schema": copy.deepcopy(schema)}
            if encoding and mime == FORM:
                content[mime]["encoding"] = encoding
        out: Doc = {"content": content}
        if required:
            out["required"] = True
        return out

    # -- responses ------------------------------------------------------------------------
    def responses_of(self, raw: JSON, produces: list[str] | None, at: str) -> Doc:
        if not isinstance(raw, dict):
            raise self.error("an operation needs a `responses` mapping", jp.join(at, "responses"))
        media = produces if produces is not None else self.produces
        out: Doc = {}
        for code, response in raw.items():
            where = jp.join(at, "responses", code)
            ref = response.get("$ref") if isinstance(response, dict) else None
            if isinstance(ref, str) and ref.startswith("#/responses/"):
                target = self.responses.get(jp.split(ref[len("#/responses/") :])[0])
                if isinstance(target, dict) and produces not in (None, self.produces):
                    response = target  # the shared one lists other media types: inline it
            out[str(code)] = self.response(response, media, where)
        return out

    def response(self, raw: JSON, media: list[str], at: str) -> Doc:
        if not isinstance(raw, dict):
            raise self.error("a response must be a mapping", at)
        if "$ref" in raw:
            return {"$ref": self.ref(str(raw["$ref"]))}
        out: Doc = {"description": str(raw.get("description") or "")}
        headers = _as_dict(raw.get("headers"))
        if headers:
            out["headers"] = {name: self.header(h) for name, h in headers.items()}
        if "schema" in raw:
            schema = self.schema(raw["schema"])
            examples = _as_dict(raw.get("examples"))
            content: Doc = {mime: {"schema": copy.deepcopy(schema)} for mime in media}
            for mime, value in examples.items():
                content.setdefault(mime, {"schema": copy.deepcopy(schema)})["example"] = value
            out["content"] = content
        elif _as_dict(raw.get("examples")):
            # examples without a schema still say what the response's body looks like
            out["content"] = {
                mime: {"example": value} for mime, value in _as_dict(raw.get("examples")).items()
            }
        out.update(_extensions(raw))
        return out

    def header(self, raw: JSON) -> Doc:
        raw = _as_dict(raw)
        out: Doc = {"schema": self.simple_schema(raw)}
        if "description" in raw:
            out["description"] = raw["description"]
        if raw.get("type") == "array":
            out["style"] = "simple"
        out.update(_extensions(raw))
        return out

    # -- schemas --------------------------------------------------------------------------
    def schema(self, raw: JSON) -> JSON:
        """A 2.0 schema object as a 3.0 one: refs, nullability, files, discriminators."""
        if isinstance(raw, list):
            return [self.schema(v) for v in raw]
        if not isinstance(raw, dict):
            return raw
        if isinstance(raw.get("$ref"), str):
            return {"$ref": self.ref(raw["$ref"])}
        out: Doc = {}
        for key, value in raw.items():
            if key in _LITERAL_KEYS or key.startswith("x-"):
                out[key] = value
            elif key == "properties" and isinstance(value, dict):
                out[key] = {name: self.schema(v) for name, v in value.items()}
            elif key in _SCHEMA_LISTS or key in _SCHEMA_SINGLES:
                out[key] = self.schema(value)
            else:
                out[key] = value
        return self._schema_keywords(out)

    def _schema_keywords(self, out: Doc) -> Doc:
        if out.get("type") == "file":
            out["type"], out["format"] = "string", "binary"
        if out.pop("x-nullable", None) is True:
            out["nullable"] = True
        if "x-example" in out:
            example = out.pop("x-example")
            out.setdefault("example", example)
        if isinstance(out.get("discriminator"), str):
            out["discriminator"] = {"propertyName": out["discriminator"]}
        return out
