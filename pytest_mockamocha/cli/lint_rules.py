"""What in a document would make its mocks wrong, with pointers (``mockamocha lint``).

It reports what the server would otherwise work around silently at start: structural
looseness, examples that break their schemas (never served), schemas no value satisfies
(served best effort), operations without a success response or a response schema, and
paths shadowed by an equivalent template that comes first.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pytest_mockamocha.generate import GenerationError, SchemaGenerator
from pytest_mockamocha.spec import pointer as jp
from pytest_mockamocha.spec.loader import deref
from pytest_mockamocha.spec.model import ApiSpec, Operation


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing that makes a mock wrong, where it is, and what kind it is."""

    pointer: str
    kind: str  # invalid-document, loose, invalid-example, unsatisfiable, no-response, ...
    message: str


def lint(spec: ApiSpec) -> list[Finding]:
    """Every finding for a loaded document, in document order."""
    generator = SchemaGenerator(spec.document, spec.version)
    found = [Finding(w.pointer, "loose", w.message) for w in spec.warnings]
    for op in spec.operations:
        found.extend(_responses(spec, generator, op))
        found.extend(_request_examples(spec, generator, op))
    found.extend(_unreachable(spec))
    unique: dict[tuple[str, str], Finding] = {}
    for finding in found:  # a shared component is reported once, not once per use
        unique.setdefault((finding.pointer, finding.kind), finding)
    return list(unique.values())


def _responses(spec: ApiSpec, generator: SchemaGenerator, op: Operation) -> Iterator[Finding]:
    codes = list(op.responses)
    if not any(c.startswith("2") or c == "default" for c in codes):
        yield Finding(
            jp.join(op.pointer, "responses"),
            "no-response",
            f"{op.name} declares no 2xx or default response: the mock answers 204",
        )
    for code in codes:
        response = deref(spec.document, op.responses[code])
        content = response.get("content") if isinstance(response, dict) else None
        for media, node in (content or {}).items():
            at = jp.join(op.pointer, "responses", code, "content", media)
            node = deref(spec.document, node) or {}
            schema = node.get("schema")
            if schema is None:
                if code.startswith("2") and "json" in media:
                    yield Finding(
                        at,
                        "no-schema",
                        f"{op.name} {code} {media} has no schema: the mock answers {{}}",
                    )
                continue
            unsatisfiable = list(_satisfiable(generator, schema, jp.join(at, "schema")))
            examples = _examples(spec, generator, node, schema, at, "response")
            if unsatisfiable:  # then the first example is served, though it breaks the schema
                examples = (
                    replace(f, message=f.message.replace(_NEVER_SERVED, _SERVED))
                    for f in examples
                )
            yield from examples
            yield from unsatisfiable


def _request_examples(
    spec: ApiSpec, generator: SchemaGenerator, op: Operation
) -> Iterator[Finding]:
    body = deref(spec.document, op.request_body) if op.request_body else None
    for media, node in ((body or {}).get("content") or {}).items():
        node = deref(spec.document, node) or {}
        if node.get("schema") is not None:
            at = jp.join(op.pointer, "requestBody", "content", media)
            yield from _examples(spec, generator, node, node["schema"], at, "request")


def _examples(
    spec: ApiSpec,
    generator: SchemaGenerator,
    node: Mapping[str, Any],
    schema: Any,
    at: str,
    direction: str,
) -> Iterator[Finding]:
    candidates: list[tuple[str, Any]] = []
    if "example" in node:
        candidates.append((jp.join(at, "example"), node["example"]))
    for name, example in (node.get("examples") or {}).items():
        example = deref(spec.document, example)
        if isinstance(example, dict) and "value" in example:
            candidates.append((jp.join(at, "examples", name, "value"), example["value"]))
    for where, value in candidates:
        problems = generator.errors(schema, value, direction=direction)
        if problems:
            path, message = problems[0]
            detail = f" (at {path})" if path else ""
            yield Finding(
                where,
                "invalid-example",
                f"the example breaks its schema: {message}{detail}; {_NEVER_SERVED}",
            )


_NEVER_SERVED = "it is never served"
_SERVED = "no value satisfies the schema, so the mock serves the first example anyway"


def _satisfiable(generator: SchemaGenerator, schema: Any, at: str) -> Iterator[Finding]:
    try:
        generator.generate(schema, random.Random(0))
    except GenerationError as exc:
        reason = exc.reason if len(exc.reason) <= 160 else exc.reason[:157] + "..."
        yield Finding(
            (exc.pointer or at).lstrip("#"),
            "unsatisfiable",
            f"no value satisfies this schema ({reason}); served best effort",
        )
    except RecursionError:
        yield Finding(at, "unsatisfiable", "the schema refers to itself without end")


def _unreachable(spec: ApiSpec) -> Iterator[Finding]:
    """Operations an earlier one of the same method and path shape wins over: the router
    tells such templates apart by the required query and header parameters a request
    carries, so a later one that requires none the earlier does not is reached only by
    requests the earlier one refuses (then the first the request is valid for answers)."""
    seen: dict[tuple[str, str], list[Operation]] = {}
    for op in spec.operations:
        shape = re.sub(r"{[^}]+}", "{}", op.path)
        earlier = seen.setdefault((op.method, shape), [])
        needs = _required_names(op)
        winner = next((e for e in earlier if needs <= _required_names(e)), None)
        if winner is not None and winner.path != op.path:
            yield Finding(
                op.pointer,
                "unreachable",
                f"{op.name} answers only requests {op.method} {winner.path} refuses: that "
                "template matches the same paths, comes first and requires every parameter "
                "this one does",
            )
        earlier.append(op)


def _required_names(op: Operation) -> frozenset[tuple[str, str]]:
    return frozenset(
        (p.location, p.name)
        for p in op.parameters
        if p.required and p.location in ("query", "header")
    )


