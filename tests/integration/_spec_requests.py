"""Build one valid HTTP request for any operation of a loaded spec.

Parameters, bodies and credentials come from the spec: examples where it has them, else
values from the collection's own generator (``direction='request'``), serialised with the
default OpenAPI styles (simple for path and header, form/explode for query and cookie).
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from urllib3.filepost import encode_multipart_formdata

from pytest_mockamocha.engine import Collection
from pytest_mockamocha.spec.loader import deref
from pytest_mockamocha.spec.model import Operation, Parameter

BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl"
BASIC = "Basic " + base64.b64encode(b"tester:secret").decode()
API_KEY = "test-key-123"


@dataclass
class ValidRequest:
    """Everything a client needs to send one request (path relative to the mock root)."""

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def url(self, base: str) -> str:
        qs = f"?{urlencode(self.query)}" if self.query else ""
        return f"{base}{self.path}{qs}"

    def all_headers(self) -> dict[str, str]:
        """Headers with the cookies folded in (for clients without a cookie jar)."""
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _value(coll: Collection, schema: Any, rng: random.Random, *, path: bool = False) -> Any:
    generator = coll.responder.generator
    for _ in range(20):
        value = generator.generate(schema or {"type": "string"}, rng, direction="request")
        flat = ",".join(_text(v) for v in value) if isinstance(value, list) else _text(value)
        if not path or (flat and "/" not in flat and flat not in (".", "..")):
            return value
    raise AssertionError(f"cannot generate a usable path value for {schema!r}")


def _raw_param(coll: Collection, op: Operation, param: Parameter) -> dict[str, Any]:
    doc = coll.spec.document
    item = deref(doc, doc["paths"][op.path])
    raw_list = [
        *(item.get("parameters") or []),
        *(deref(doc, item[op.method.lower()]).get("parameters") or []),
    ]
    for raw in reversed(raw_list):
        found = deref(doc, raw)
        if found.get("name") == param.name and found.get("in") == param.location:
            return dict(found)
    return {}


def _param_value(coll: Collection, op: Operation, param: Parameter, rng: random.Random) -> Any:
    raw = _raw_param(coll, op, param)
    if "example" in raw:
        return raw["example"]
    schema = deref(coll.spec.document, param.schema) if param.schema else None
    if isinstance(schema, dict) and "example" in schema:
        return schema["example"]
    return _value(coll, param.schema, rng, path=param.location == "path")


def _add_param(req: ValidRequest, param: Parameter, value: Any) -> None:
    if param.location == "path":
        text = ",".join(_text(v) for v in value) if isinstance(value, list) else _text(value)
        req.path = req.path.replace("{" + param.name + "}", quote(text, safe=""))
    elif param.location == "query":
        items = value if isinstance(value, list) else [value]
        req.query.extend((param.name, _text(v)) for v in items)
    elif param.location == "header":
        req.headers[param.name] = (
            ",".join(_text(v) for v in value) if isinstance(value, list) else _text(value)
        )
    elif param.location == "cookie":
        req.cookies[param.name] = _text(value)


def _credentials(coll: Collection, op: Operation, req: ValidRequest) -> None:
    if not op.security:
        return
    schemes = deref(
        coll.spec.document, coll.spec.document.get("components", {}).get("securitySchemes", {})
    )
    for name in op.security[0]:
        scheme = deref(coll.spec.document, schemes[name])
        kind = scheme["type"]
        if kind == "apiKey":
            where = scheme["in"]
            if where == "header":
                req.headers[scheme["name"]] = API_KEY
            elif where == "query":
                req.query.append((scheme["name"], API_KEY))
            else:
                req.cookies[scheme["name"]] = API_KEY
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            req.headers["Authorization"] = BASIC
        else:  # http bearer, oauth2, openIdConnect
            req.headers["Authorization"] = f"Bearer {BEARER}"


def _example(coll: Collection, media: dict[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, dict):
        for raw in examples.values():
            example = deref(coll.spec.document, raw)
            if isinstance(example, dict) and "value" in example:
                return example["value"]
    return None


def _multipart(coll: Collection, schema: Any, rng: random.Random) -> tuple[bytes, str]:
    resolved = deref(coll.spec.document, schema) or {}
    value = _value(coll, schema, rng)
    fields: list[tuple[str, Any]] = []
    for name, prop in (resolved.get("properties") or {}).items():
        prop = deref(coll.spec.document, prop)
        if prop.get("format") == "binary":
            fields.append((name, ("scan.pdf", b"%PDF-1.4 test", "application/pdf")))
        elif name in value:
            items = value[name] if isinstance(value[name], list) else [value[name]]
            fields.extend((name, _text(v)) for v in items)
    body, ctype = encode_multipart_formdata(fields)
    return body, ctype


def _body(coll: Collection, op: Operation, req: ValidRequest, rng: random.Random) -> None:
    request_body = deref(coll.spec.document, op.request_body)
    if not request_body or not request_body.get("content"):
        return
    media_type, media = next(iter(request_body["content"].items()))
    media = deref(coll.spec.document, media) or {}
    schema = media.get("schema")
    base = media_type.split(";")[0].strip().lower()
    if base == "multipart/form-data":
        req.body, req.headers["Content-Type"] = _multipart(coll, schema, rng)
        return
    if "*" in base:
        req.body, req.headers["Content-Type"] = b"\x89PNG\r\n\x1a\nraw", "application/octet-stream"
        return
    value = _example(coll, media)
    if value is None:
        value = _value(coll, schema, rng)
    if base == "application/json" or base.endswith("+json"):
        req.body = json.dumps(value).encode()
    elif base == "application/x-www-form-urlencoded":
        req.body = urlencode({k: _text(v) for k, v in value.items()}).encode()
    elif isinstance(value, bytes):
        req.body = value
    else:
        req.body = _text(value).encode()
    req.headers["Content-Type"] = media_type


def valid_request(coll: Collection, op: Operation, seed: int = 0) -> ValidRequest:
    """A request the spec accepts for ``op``."""
    rng = random.Random(f"{seed}|{op.name}")
    req = ValidRequest(op.method, op.path)
    for param in op.parameters:
        if param.required or param.location == "path":
            _add_param(req, param, _param_value(coll, op, param, rng))
    _credentials(coll, op, req)
    _body(coll, op, req, rng)
    return req
