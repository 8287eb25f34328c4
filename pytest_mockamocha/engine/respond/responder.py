"""Build responses from the spec: status choice, negotiation, examples, generated data.

This is steps 2-4 of the precedence (``Prefer``, examples, generated data), plus the
pieces rules and error answers reuse. Built bodies are cached by their seed material:
generation is deterministic, so a repeated request costs a dictionary lookup.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_mockamocha.engine.exchange import FRAMING_HEADERS, MockResponse
from pytest_mockamocha.engine.media import (
    concrete_type,
    encode,
    is_json,
    is_xml,
    member_type,
    negotiate,
    with_charset,
)
from pytest_mockamocha.engine.respond.datasets import find_by_id, page_of
from pytest_mockamocha.engine.respond.examples import NO_EXAMPLE, ExampleBook
from pytest_mockamocha.engine.respond.untyped import (
    binary_body,
    is_binary_media,
    is_binary_string,
    untyped_body,
)
from pytest_mockamocha.engine.validate.fastcheck import is_xml_text
from pytest_mockamocha.engine.validate.violations import Violation
from pytest_mockamocha.generate import GenerationError
from pytest_mockamocha.spec.check import Problem
from pytest_mockamocha.spec.loader import deref
from pytest_mockamocha.spec.model import ApiSpec, Operation

#: declared response headers the mock does not copy: the server writes the body's type and
#: framing itself, and the body it sends is not encoded (``Content-Encoding: gzip`` on it
#: would make a client fail to decode it)
_SERVER_WRITES = FRAMING_HEADERS | {"content-type", "content-encoding"}

if TYPE_CHECKING:
    from pytest_mockamocha.generate.schema import SchemaGenerator
    from pytest_mockamocha.spec.cache import ExampleVerdicts, GeneratedAnswers

PROBLEM_JSON = "application/problem+json"
_CACHE_SIZE = 4096


class NotAcceptable(Exception):
    """The client's Accept header admits none of the declared media types."""

    def __init__(self, offered: list[str]):
        self.offered = offered
        super().__init__(", ".join(offered))


@dataclass(frozen=True, slots=True)
class Prefer:
    """A parsed ``Prefer`` header (code=, example=, dynamic=), as Prism reads it."""

    code: str | None = None
    example: str | None = None
    dynamic: bool = False

    @classmethod
    def parse(cls, header: str | None) -> Prefer | None:
        """None when the header says nothing we act on."""
        if not header:
            return None
        values: dict[str, str] = {}
        for token in header.replace(";", ",").split(","):
            key, _, value = token.strip().partition("=")
            values[key.strip().lower()] = value.strip().strip('"')
        found = cls(
            values.get("code") or None,
            values.get("example") or None,
            values.get("dynamic", "").lower() == "true",
        )
        return found if (found.code or found.example or found.dynamic) else None


def _verdicts(spec: ApiSpec) -> ExampleVerdicts | None:
    """Where the verdicts on ``spec``'s examples are kept across runs (with its cache)."""
    if spec.cache_dir is None:
        return None
    from pytest_mockamocha.spec.cache import ExampleVerdicts

    return ExampleVerdicts(spec.cache_dir, spec.content_hash)


def _kept_answers(spec: ApiSpec) -> GeneratedAnswers | None:
    """Where ``spec``'s generated answers are kept across runs (with its cache)."""
    if spec.cache_dir is None:
        return None
    from pytest_mockamocha.spec.cache import GeneratedAnswers

    return GeneratedAnswers(spec.cache_dir, spec.content_hash)


class Responder:
    """Builds spec-derived responses for one API."""

    def __init__(self, spec: ApiSpec, generator: SchemaGenerator | None = None):
        self.spec = spec
        self._generator = generator
        self.examples = ExampleBook(self.deref, self._is_valid, _verdicts(spec))
        #: generated answers of earlier runs: sent without generating (None: no cache)
        self._kept = _kept_answers(spec) if generator is None else None
        self._cache: OrderedDict[
            tuple[Any, ...], tuple[bytes, str | None, list[tuple[str, str]], str]
        ] = OrderedDict()
        #: schemas no value fully satisfies, by pointer: served best effort, reported once
        self.unsatisfiable: dict[str, Problem] = {}
        self._lock = threading.Lock()

    @property
    def generator(self) -> SchemaGenerator:
        """The document's generator, made on first use: an answer from an example whose
        verdict is kept never loads the generator."""
        found = self._generator
        if found is None:
            from pytest_mockamocha.generate.schema import SchemaGenerator

            with self._lock:
                if self._generator is None:
                    self._generator = SchemaGenerator(self.spec.document, self.spec.version)
                found = self._generator
        return found

    def _is_valid(self, schema: Any, value: Any) -> bool:
        return self.generator.is_valid(schema, value)

    def deref(self, node: Any) -> Any:
        """``node`` with its ``$ref`` chain followed."""
        return deref(self.spec.document, node)

    # -- the precedence pipeline ------------------------------------------------------
    def from_spec(
        self,
        op: Operation,
        *,
        accept: str | None,
        seed: int,
        material: str,
        prefer: Prefer | None = None,
    ) -> MockResponse:
        """Steps 2-4: ``Prefer``, then the declared example, then generated data."""
        key = op.success_status()
        example: str | None = None
        dynamic = False
        source = "example"
        if prefer is not None:
            source = "prefer"
            dynamic = prefer.dynamic
            example = prefer.example
            if prefer.code:
                key = (
                    op.declared_key(op.status_int(prefer.code, 0))
                    if prefer.code.isdigit()
                    else None
                )
                if key is None:
                    return self.problem(
                        400,
                        "Prefer asks for an undeclared status",
                        f"{op.name} declares {', '.join(op.responses)}; "
                        f"Prefer asked for code={prefer.code}",
                    )
            elif example:
                found = self._status_with_example(op, example)
                if found is None:
                    return self.problem(
                        400,
                        "Prefer asks for an unknown example",
                        f"{op.name} has no example named {example!r}",
                    )
                key = found
        if key is None:
            return MockResponse(204, source="generated")
        status = int(prefer.code) if prefer is not None and prefer.code else op.status_int(key)
        return self.build(
            op,
            key,
            status,
            accept=accept,
            seed=seed,
            material=material,
            example=example,
            dynamic=dynamic,
            source=source,
            keep=prefer is None,
        )

    def build(
        self,
        op: Operation,
        key: str,
        status: int,
        *,
        accept: str | None,
        seed: int,
        material: str,
        example: str | None = None,
        dynamic: bool = False,
        source: str = "example",
        overrides: Mapping[str, Any] | None = None,
        keep: bool = False,
    ) -> MockResponse:
        """The response for declared status ``key`` sent as ``status``.

        ``keep``: a generated answer is kept across runs (``GeneratedAnswers``). Only the
        spec's own answers to a request are: a rule's answers are keyed by the rule's id
        and its hits, which no later run repeats."""
        response = self.deref(op.responses.get(key)) or {}
        content = response.get("content") if isinstance(response, dict) else None
        content = content if isinstance(content, dict) else {}
        media = negotiate(content, accept)
        if content and media is None:
            raise NotAcceptable(list(content))
        # the type sent: a range's member follows Accept (image/* is sent as image/png...)
        wire = media if media is None or "*" not in media else member_type(media, accept) or media
        # a tuple: cheaper to build and hash than the text that seeds a miss's generator
        cache_key = (seed, op.name, key, status, wire, example, dynamic, source, material)
        if not overrides:
            with self._lock:
                hit = self._cache.get(cache_key)
                if hit is not None:
                    self._cache.move_to_end(cache_key)
                    body, ctype, headers, used = hit
                    return MockResponse(status, body, ctype, list(headers), source=used)
        material_text = "|".join(map(str, cache_key))
        keeper = self._kept if keep and not overrides else None
        kept = keeper.get(material_text) if keeper is not None else None
        if kept is not None:  # generated by an earlier run from the same document and code
            body, ctype, headers = kept
            self._remember(cache_key, (body, ctype, headers, "generated"))
            return MockResponse(status, body, ctype, list(headers), source="generated")
        rng = _rng(material_text)
        body, ctype, used = b"", None, source
        if media is not None and wire is not None:
            value, used = self._value(
                op, key, media, wire, content[media], rng, example, dynamic, source, overrides
            )
            ctype = with_charset(concrete_type(media, value, accept))
            body = self.encode(value, wire, content[media])
        headers = self._headers(response, rng)
        if used == "generated" and keeper is not None:
            keeper.put(material_text, body, ctype, headers)  # complete and valid only
        if not overrides:
            self._remember(cache_key, (body, ctype, headers, used))
        return MockResponse(status, body, ctype, list(headers), source=used)

    def _remember(
        self, key: tuple[Any, ...], built: tuple[bytes, str | None, list[tuple[str, str]], str]
    ) -> None:
        """Keep a built answer for the next identical request (the oldest leaves first)."""
        with self._lock:
            self._cache[key] = built
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)

    def _value(
        self,
        op: Operation,
        key: str,
        media: str,
        wire: str,
        node: Any,
        rng: random.Random,
        example: str | None,
        dynamic: bool,
        source: str,
        overrides: Mapping[str, Any] | None,
    ) -> tuple[Any, str]:
        """The value to answer with (an example's or a generated one) and where it came
        from; ``media`` is the declared type, ``wire`` the one sent."""
        if example is not None:
            found = self.examples.named(op, key, media, example)
            if found is not NO_EXAMPLE:
                return found, source
        if not dynamic and not overrides:
            found = self.examples.default(op, key, media)
            if found is not NO_EXAMPLE:
                return found, source
        schema = node.get("schema") if isinstance(node, dict) else None
        value, complete = self.generate_best(schema, rng, wire)
        if not complete and not overrides:
            # no value satisfies the schema, so no example can: the author's example is
            # then the closest thing to what they meant
            declared = self.examples.declared(op, key, media)
            if declared is not NO_EXAMPLE:
                return declared, "unsatisfiable"
        if overrides:
            apply_overrides(value, overrides)
        if not complete:
            return value, "unsatisfiable"
        return value, "prefer" if source == "prefer" else "generated"

    def override_problem(self, op: Operation, key: str, overrides: Mapping[str, Any]) -> str | None:
        """Why ``overrides`` cannot shape ``op``'s generated ``key`` response, if they cannot."""
        response = self.deref(op.responses.get(key)) or {}
        content = response.get("content") if isinstance(response, dict) else None
        media = next((m for m in (content or {}) if is_json(m)), None)
        if media is None:
            return f"{op.name} declares no JSON body for {key} to put overrides in"
        schema = ((content or {})[media] or {}).get("schema")
        sample = self.generate(schema, _rng(f"overrides|{op.name}|{key}"), media)
        if not apply_overrides(sample, overrides):
            return (
                f"{op.name} answers {key} with {type(sample).__name__} data; overrides "
                "need an object or a list of objects"
            )
        if schema is not None and not self.generator.is_valid(schema, sample):
            return (
                f"overrides {', '.join(sorted(overrides))} do not fit the {key} response "
                f"schema of {op.name}"
            )
        return None

    def generate(self, schema: Any, rng: random.Random, media: str = "application/json") -> Any:
        """A value for ``schema`` sent as ``media``: without a schema, a body of that type
        that says nothing more (see ``untyped``); a binary string sent as a binary type,
        bytes of that type (a real PNG for ``image/png``)."""
        if schema is None:
            return untyped_body(media, rng)
        if is_binary_media(media) and is_binary_string(self.deref(schema)):
            return binary_body(media, rng)
        try:
            return self.generator.generate(schema, rng, direction="response")
        except GenerationError:
            raise
        except RecursionError as exc:
            raise GenerationError(f"schema nests too deeply to generate: {exc}") from None

    def generate_best(self, schema: Any, rng: random.Random, media: str) -> tuple[Any, bool]:
        """A valid value, or, for a schema no value satisfies (a sloppy ``oneOf``, say), the
        closest the generator gets (at worst an empty value of the schema's first type: a
        document lint accepts never gets a 5xx); the flag says which. The problem is kept for the
        summary, and the journal marks such answers ``unsatisfiable``."""
        try:
            return self.generate(schema, rng, media), True
        except GenerationError as exc:
            where = exc.pointer or "/"
            with self._lock:
                self.unsatisfiable.setdefault(
                    where,
                    Problem(
                        where,
                        f"no value satisfies this schema ({exc.reason}); the mock serves "
                        "the closest value it can build",
                        fatal=False,
                    ),
                )
            try:
                return self.generator.generate_closest(schema, rng, direction="response"), False
            except (GenerationError, RecursionError):
                return _placeholder(self.deref(schema)), False

    def encode(self, value: Any, media: str, node: Any) -> bytes:
        """The bytes of ``value`` sent as ``media``: XML written as the schema's ``xml``
        objects describe it (see ``xmlbody``) unless it is XML text already (an example
        written as the document), anything else as ``media.encode`` writes it."""
        if is_xml(media) and not isinstance(value, bytes) and not is_xml_text(value):
            from pytest_mockamocha.engine.respond.xmlbody import to_xml

            schema = node.get("schema") if isinstance(node, dict) else None
            return to_xml(value, schema, self.deref)
        return encode(value, media)

    def _headers(self, response: Any, rng: random.Random) -> list[tuple[str, str]]:
        declared = response.get("headers") if isinstance(response, dict) else None
        out: list[tuple[str, str]] = []
        for name, raw in (declared or {}).items():
            header = self.deref(raw)
            if name.lower() in _SERVER_WRITES or not isinstance(header, dict):
                continue
            value = header.get("example")
            schema = self.deref(header.get("schema"))
            if value is None or (schema is not None and not self.generator.is_valid(schema, value)):
                if schema is None:
                    continue
                value, _ = self.generate_best(schema, rng, "text/plain")
            out.append((name, _header_text(value)))
        return out

    def _challenges(self, op: Operation) -> list[str]:
        """``WWW-Authenticate`` values for the schemes the operation accepts."""
        components = self.spec.document.get("components") or {}
        schemes = components.get("securitySchemes") or {}
        found: list[str] = []
        for requirement in op.security or ():
            for name in requirement:
                scheme = self.deref(schemes.get(name)) or {}
                kind, http = scheme.get("type"), str(scheme.get("scheme", "")).lower()
                value = (
                    'Basic realm="mockamocha"'
                    if kind == "http" and http == "basic"
                    else "Bearer"
                    if kind in ("oauth2", "openIdConnect") or http == "bearer"
                    else None
                )
                if value and value not in found:
                    found.append(value)
        return found

    def from_dataset(
        self,
        op: Operation,
        records: list[Any],
        path_params: Mapping[str, str],
        query: Any,
        *,
        accept: str | None,
        seed: int,
        material: str,
    ) -> MockResponse:
        """An attached data set: a page of it for a list, the record by id, or the 404."""
        key = op.success_status()
        response = self.deref(op.responses.get(key)) if key else None
        content = response.get("content") if isinstance(response, dict) else None
        media = negotiate(content or {}, accept) if content else None
        if key is None or media is None:
            return self.from_spec(op, accept=accept, seed=seed, material=material)
        schema = self.deref((content or {})[media].get("schema")) or {}
        if schema.get("type") == "array":
            value: Any = page_of(op, records, query)
        else:
            value = find_by_id(op, records, path_params)
            if value is None:
                missing = op.declared_key(404)
                if missing is None or missing == "default":
                    return self.problem(404, "Not Found", f"{op.name}: no such record")
                return self.build(
                    op, missing, 404, accept=accept, seed=seed, material=material, source="dataset"
                )
        body = self.encode(value, member_type(media, accept) or media, (content or {})[media])
        headers = self._headers(response, _rng(material))
        return MockResponse(
            op.status_int(key),
            body,
            with_charset(concrete_type(media, value, accept)),
            headers,
            source="dataset",
        )

    def _status_with_example(self, op: Operation, name: str) -> str | None:
        for key, raw in op.responses.items():
            content = (self.deref(raw) or {}).get("content") or {}
            for node in content.values():
                if isinstance(node, dict) and name in (node.get("examples") or {}):
                    return key
        return None

    # -- answers of our own -------------------------------------------------------------
    def problem(self, status: int, title: str, detail: str, **extra: Any) -> MockResponse:
        """An ``application/problem+json`` answer (RFC 9457)."""
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
        return MockResponse(status, json.dumps(body).encode(), PROBLEM_JSON, source="error")

    def rejection(
        self,
        op: Operation,
        violations: list[Violation],
        *,
        accept: str | None,
        seed: int,
        material: str,
    ) -> MockResponse:
        """The answer to a request that breaks the contract: 401, or 400 / the spec's 422."""
        security = all(v.location == "security" for v in violations)
        status = 401 if security else 400
        # an exact 400 (or 422 for bodies) first, else a declared 4XX range, whose shape the
        # answer must then keep; a catch-all `default` gets our problem+json body
        key = None if security else next((k for k in ("400", "422") if k in op.responses), None)
        key = key or op.declared_key(status)
        if key == "default":
            key = None
        if key is not None and key.isdigit():
            status = int(key)
        title = "Missing credentials" if security else "Request does not match the API contract"
        detail = "; ".join(str(v) for v in violations)
        problem = {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "operation": op.name,
            "violations": [v.as_dict() for v in violations],
        }
        if key is None:
            response = self.problem(
                status,
                title,
                detail,
                operation=op.name,
                violations=[v.as_dict() for v in violations],
            )
        else:
            response = self._declared_rejection(op, key, status, problem, accept, seed, material)
        response.source = "invalid"
        challenges = self._challenges(op) if security else []
        if challenges:  # the operation's own schemes, whatever example the spec gave
            response.headers = [h for h in response.headers if h[0].lower() != "www-authenticate"]
            response.headers.extend(("WWW-Authenticate", c) for c in challenges)
        return response

    def _declared_rejection(
        self,
        op: Operation,
        key: str,
        status: int,
        problem: dict[str, Any],
        accept: str | None,
        seed: int,
        material: str,
    ) -> MockResponse:
        response = self.deref(op.responses.get(key)) or {}
        content = response.get("content") or {}
        for media, node in content.items():
            schema = node.get("schema") if isinstance(node, dict) else None
            if is_json(media) and (schema is None or self.generator.is_valid(schema, problem)):
                return MockResponse(
                    status,
                    json.dumps(problem).encode(),
                    concrete_type(media, problem),
                    self._headers(response, _rng(material)),
                )
        try:
            built = self.build(op, key, status, accept=accept, seed=seed, material=material)
        except NotAcceptable:
            built = self.build(op, key, status, accept=None, seed=seed, material=material)
        summary = "; ".join(
            f"{v['location']}{'.' + v['name'] if v['name'] else ''}: {v['message']}"
            for v in problem["violations"]
        )
        built.headers.append(("MockaMocha-Violations", _header_safe(summary)))
        return built


def apply_overrides(value: Any, overrides: Mapping[str, Any]) -> bool:
    """Set ``overrides`` on an object, or on every object of a list; False when neither."""
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, dict) for item in items):
        return False
    for item in items:
        item.update(overrides)
    return True


def _rng(material: str) -> random.Random:
    digest = hashlib.blake2b(material.encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_header_text(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{_header_text(v)}" for k, v in value.items())
    return _header_safe(str(value))


def _header_safe(text: str) -> str:
    clean = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in text)
    return clean[:1000]


_EMPTY: dict[str, Any] = {"string": "", "integer": 0, "number": 0, "boolean": False, "null": None}


def _placeholder(schema: Any) -> Any:
    """The empty value of a schema's first declared type (``{}`` when it declares none)."""
    kind = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(kind, list):
        kind = kind[0] if kind else None
    if kind == "array":
        return []
    return _EMPTY.get(kind, {}) if isinstance(kind, str) else {}
