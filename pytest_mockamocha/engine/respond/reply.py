"""What one step of a rule answers (``Reply``), how it becomes a response, and how it
breaks the contract.

The same value comes from the fixture's builder, rule files and the management API (all
through ``engine/rules/form.py``); the precedence renders it per request.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_mockamocha.engine.exchange import MockRequest, MockResponse
from pytest_mockamocha.engine.media import is_json
from pytest_mockamocha.engine.validate.violations import Violation
from pytest_mockamocha.errors import TemplateError
from pytest_mockamocha.spec.model import Operation

if TYPE_CHECKING:
    from pytest_mockamocha.engine.respond.responder import Responder

#: socket-level misbehaviours a reply can act out instead of answering normally
FAULTS = (
    "connection_reset",  # RST after reading the request
    "close",  # close the connection without a byte
    "empty_response",  # status and headers, Content-Length: 0, no body
    "malformed_body",  # the declared content type, a body that does not parse
    "truncated_body",  # Content-Length promises more than is sent, then close
    "slow_body",  # the body dripped over ``fault_seconds``
    "hang",  # nothing until the client gives up (or ``fault_seconds`` pass)
)
#: faults that send no response at all: the status never reaches the client
SILENT_FAULTS = ("connection_reset", "close", "hang")
#: "not given", where ``None`` is a value (``json=None`` answers ``null``)
UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()
#: a collection's delay: seconds, or a (min, max) range
Delay = tuple[float, float | None]


@dataclass(frozen=True, slots=True)
class Reply:
    """What one step of a rule answers."""

    kind: str = "static"  # static, example, generated, template
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    json: Any = UNSET
    body: bytes | None = None
    content_type: str | None = None
    example: str | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    #: body template (jinja2 sandbox): text, or a JSON value whose strings are templates
    template: Any = UNSET
    delay: float = 0.0
    #: with ``delay``, a random delay in [delay, delay_max] (seeded per request)
    delay_max: float | None = None
    fault: str | None = None
    #: how long ``slow_body`` drips and ``hang`` waits (None: the fault's default)
    fault_seconds: float | None = None

    @property
    def has_json(self) -> bool:
        """True when the reply carries a JSON value (``None`` included)."""
        return self.json is not UNSET


# -- rendering -----------------------------------------------------------------------
def render(
    responder: Responder,
    op: Operation,
    reply: Reply,
    *,
    accept: str | None,
    seed: int,
    material: str,
    request: MockRequest | None = None,
    path_params: Mapping[str, str] | None = None,
    default_delay: Delay = (0.0, None),
) -> MockResponse:
    """The response a rule's reply describes (``default_delay``: the collection's)."""
    default_key = op.success_status()
    status = reply.status or (op.status_int(default_key) if default_key else 200)
    if reply.kind == "static" and (reply.has_json or reply.body is not None):
        response = _static(reply, status)
    elif reply.kind == "template":
        response = _templated(
            responder, op, reply, status, request, path_params or {}, seed, material
        )
    else:
        key = op.declared_key(status) or default_key
        if key is None:
            response = MockResponse(status)
        else:
            response = responder.build(
                op,
                key,
                status,
                accept=accept,
                seed=seed,
                material=material,
                example=reply.example,
                dynamic=reply.kind == "generated",
                overrides=reply.overrides or None,
            )
    names = {name.lower() for name, _ in reply.headers}
    response.headers = [h for h in response.headers if h[0].lower() not in names]
    response.headers.extend(reply.headers)
    if reply.delay or reply.delay_max:
        response.delay = pick_delay((reply.delay, reply.delay_max), seed, material)
    else:
        response = delayed(response, default_delay, seed, material)
    response.fault, response.fault_seconds = reply.fault, reply.fault_seconds
    return response


def _templated(
    responder: Responder,
    op: Operation,
    reply: Reply,
    status: int,
    request: MockRequest | None,
    path_params: Mapping[str, str],
    seed: int,
    material: str,
) -> MockResponse:
    """A template reply rendered against the request (and, on demand, generated data)."""
    from pytest_mockamocha.engine.respond import templates

    key = op.declared_key(status) or op.success_status()

    def generated() -> Any:
        if key is None:
            return None
        built = responder.build(
            op,
            key,
            status,
            accept="application/json",
            seed=seed,
            material=material,
            dynamic=True,
        )
        try:
            return json.loads(built.body) if built.body else None
        except ValueError:
            return None

    try:
        value = templates.render(
            reply.template,
            templates.request_view(request, path_params),
            seed=seed,
            material=material,
            generated=generated,
        )
    except TemplateError as exc:
        return responder.problem(500, "Template failed", f"{op.name}: {exc}")
    if isinstance(reply.template, str):
        ctype = reply.content_type or "text/plain; charset=utf-8"
        if "json" in ctype:
            try:
                json.loads(value)
            except ValueError as exc:
                return responder.problem(
                    500,
                    "Template failed",
                    f"{op.name}: the template's output is not JSON: {exc}",
                )
        return MockResponse(status, str(value).encode(), ctype, source="rule")
    body = json.dumps(value, ensure_ascii=False).encode()
    return MockResponse(status, body, reply.content_type or "application/json", source="rule")


def _static(reply: Reply, status: int) -> MockResponse:
    if reply.has_json:
        body = json.dumps(reply.json, ensure_ascii=False).encode()
        ctype = reply.content_type or "application/json"
    else:
        body = reply.body or b""
        ctype = reply.content_type or "application/octet-stream"
    return MockResponse(status, body, ctype, source="rule")


def pick_delay(delay: Delay, seed: int, material: str) -> float:
    """A fixed delay, or one drawn from the range, the same for the same seed and request."""
    low, high = delay
    if high is None or high <= low:
        return low
    return random.Random(f"{seed}|{material}|delay").uniform(low, high)


def delayed(response: MockResponse, delay: Delay, seed: int, material: str) -> MockResponse:
    """``response`` with the collection's default delay, unless it has one of its own."""
    if not response.delay and (delay[0] or delay[1]):
        response.delay = pick_delay(delay, seed, material)
    return response


# -- the contract check --------------------------------------------------------------
def contract_problems(responder: Responder, op: Operation, reply: Reply) -> list[str]:
    """How a reply breaks what ``op`` declares: an undeclared status, a body off its schema.

    Faults that send no response, templates and spec-built answers are not judged here
    (the spec built the latter; a template's output is checked per request by
    ``template_drift``, and the engine journals it as the request's violations)."""
    if reply.fault in SILENT_FAULTS:
        return []
    status = reply.status
    key = op.success_status() if status is None else op.declared_key(status)
    if key is None:
        return [undeclared(op, status)]
    if reply.kind != "static" or not reply.has_json:
        return []
    response = responder.deref(op.responses.get(key)) or {}
    content = response.get("content") if isinstance(response, Mapping) else None
    if not content:
        return [f"{op.name} declares no body for {key}, the rule sends JSON"]
    media = next((m for m in content if is_json(m)), None)
    if media is None:
        return [f"{op.name} answers {key} with {', '.join(content)}, the rule sends JSON"]
    schema = responder.deref((content[media] or {}).get("schema"))
    if schema is None:
        return []
    errors = responder.generator.errors(schema, reply.json, direction="response")
    return [
        f"{op.name} {key} body{'.' + path if path else ''}: {message}" for path, message in errors
    ]


def undeclared(op: Operation, status: int | None) -> str:
    """The words for a status ``op`` declares no response for."""
    declared = ", ".join(op.responses) or "none"
    return f"{op.name} declares no {status} response (it declares {declared})"


def template_drift(
    responder: Responder, op: Operation, reply: Reply, response: MockResponse
) -> list[Violation]:
    """How a template's rendered answer breaks the operation's declared responses.

    Other replies are checked once, when their rule is made; a template's output exists
    only per request, so it is checked here, and strict mode fails the test on it."""
    if reply.kind != "template":
        return []
    if response.source == "error":  # the template failed: the 500 is ours, not the API's
        detail = json.loads(response.body).get("detail", "")
        return [Violation("response", "template", str(detail))]
    rendered = Reply(status=response.status)
    if "json" in (response.content_type or ""):
        rendered = Reply(status=response.status, json=json.loads(response.body))
    return [Violation("response", "", text) for text in contract_problems(responder, op, rendered)]
