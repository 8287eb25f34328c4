"""The dict form of a whole rule (what rule files and the management API spell), checked
and turned into the engine's ``Rule``; and the contract check every rule goes through.

    operation: GET /pets/{petId}
    match: {path: {petId: 7}}
    scenario: checkout          # optional: fire only in ``state``, then move to ``next_state``
    state: started
    next_state: paid
    response: {status: 503, headers: {Retry-After: "1"}, times: 2}
    then:
      - {status: 200, json: {id: 7, name: Rex}}

A step (``response`` and each ``then`` item) answers with ``json``, ``body`` (text),
``example`` (a named spec example), ``generate`` (generated data, optionally with
overrides), ``template`` (text, or JSON whose strings are templates) or nothing (the
spec's answer for ``status``), and may add ``delay`` (seconds or ``[min, max]``),
``fault`` (a name, or ``{kind, seconds}``) and ``times``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pytest_mockamocha.engine.exchange import FRAMING_HEADERS
from pytest_mockamocha.engine.formproblems import FormProblem, Path, at
from pytest_mockamocha.engine.respond.reply import FAULTS, SILENT_FAULTS, Reply, undeclared
from pytest_mockamocha.engine.rules.book import STARTED, Rule, Step
from pytest_mockamocha.engine.rules.matchform import parse_match

if TYPE_CHECKING:
    from pytest_mockamocha.engine.collection import Collection
    from pytest_mockamocha.spec.model import Operation

#: keys of a rule object (``collection`` and ``operation`` only in rule files)
RULE_KEYS = (
    "collection",
    "operation",
    "name",
    "priority",
    "enabled",
    "match",
    "scenario",
    "state",
    "next_state",
    "response",
    "then",
)
#: keys of one step
STEP_KEYS = (
    "status",
    "headers",
    "json",
    "body",
    "content_type",
    "example",
    "generate",
    "template",
    "delay",
    "fault",
    "times",
)
_BODIES = ("json", "body", "example", "generate", "template")
#: the longest delay, fault or retry a rule may ask for
MAX_SECONDS = 600.0


def parse_rule(
    form: Any,
    where: Path,
    *,
    coll: Collection,
    op: Operation,
    rule_id: str,
    owner: str | None = None,
    keys: tuple[str, ...] = RULE_KEYS,
) -> tuple[Rule | None, list[FormProblem]]:
    """The engine rule of a rule object, or None and every problem in it."""
    if not isinstance(form, Mapping):
        return None, [at(where, "must be an object")]
    head, problems = parse_head(form, where, op=op, keys=keys)
    steps: list[Step] = []
    if "response" not in form:
        problems.append(at(where, 'needs "response": what the rule answers'))
    else:
        step, found = parse_step(form["response"], (*where, "response"), coll=coll, op=op)
        problems += found
        steps += [step] if step else []
    then = form.get("then", [])
    if not isinstance(then, list):
        problems.append(at((*where, "then"), "must be a list of steps"))
        then = []
    for i, item in enumerate(then):
        step, found = parse_step(item, (*where, "then", i), coll=coll, op=op)
        problems += found
        steps += [step] if step else []
    if problems:
        return None, problems
    rule = Rule(id=rule_id, collection=coll.slug, operation=op.name, owner=owner, **head)
    return replace(rule, steps=_sequence(steps)), []


def parse_head(
    form: Mapping[str, Any], where: Path, *, op: Operation, keys: tuple[str, ...] = RULE_KEYS
) -> tuple[dict[str, Any], list[FormProblem]]:
    """Everything of a rule object but its steps, as ``Rule`` fields, with its problems
    (the fixture checks this much when ``when(...)`` is called, before any reply)."""
    problems = [
        at((*where, key), f"is not a rule field (known: {', '.join(keys)})")
        for key in form
        if key not in keys
    ]
    matchers, found = parse_match(form.get("match"), (*where, "match"))
    problems += found + _path_names(form.get("match"), (*where, "match", "path"), op)
    priority = form.get("priority", 0)
    if not _is_int(priority):
        problems.append(at((*where, "priority"), "must be a whole number"))
    if not isinstance(form.get("enabled", True), bool):
        problems.append(at((*where, "enabled"), "must be true or false"))
    for key in ("name", "scenario", "state", "next_state"):
        if key in form and not (isinstance(form[key], str) and (form[key] or key == "name")):
            problems.append(at((*where, key), "must be a non-empty string"))
    scenario = form.get("scenario")
    for key in ("state", "next_state"):
        if key in form and scenario is None:
            problems.append(at((*where, key), 'needs "scenario": the state of which scenario?'))
    return {
        "matchers": matchers,
        "priority": int(priority) if _is_int(priority) else 0,
        "enabled": bool(form.get("enabled", True)),
        "name": str(form.get("name", "")),
        "scenario": scenario,
        "state": form.get("state", STARTED) if scenario is not None else None,
        "next_state": form.get("next_state"),
    }, problems


def _path_names(match: Any, where: Path, op: Operation) -> list[FormProblem]:
    """A path parameter the operation does not declare can never match: say so now."""
    path = match.get("path") if isinstance(match, Mapping) else None
    if not isinstance(path, Mapping):
        return []
    declared = sorted(p.name for p in op.params_in("path"))
    return [
        at(
            (*where, name),
            f"{op.name} has no path parameter {name!r}; it has: {', '.join(declared) or 'none'}",
        )
        for name in path
        if name not in declared
    ]


def _sequence(steps: list[Step]) -> tuple[Step, ...]:
    """Steps as the builder makes them: every step but the last answers once by default."""
    out = []
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        out.append(step if step.times is not None or last else Step(step.reply, 1))
    return tuple(out)


def parse_step(
    form: Any, where: Path, *, coll: Collection, op: Operation
) -> tuple[Step | None, list[FormProblem]]:
    """One step of a rule: its reply and how many requests it answers."""
    if not isinstance(form, Mapping):
        return None, [at(where, "must be an object")]
    problems = [
        at((*where, key), f"is not a step field (known: {', '.join(STEP_KEYS)})")
        for key in form
        if key not in STEP_KEYS
    ]
    bodies = [key for key in _BODIES if key in form]
    if len(bodies) > 1:
        problems.append(at(where, f"takes one of {', '.join(_BODIES)}, not {' and '.join(bodies)}"))
    status = form.get("status")
    if status is not None and not (_is_int(status) and 100 <= status <= 599):
        problems.append(at((*where, "status"), "must be an HTTP status code from 100 to 599"))
        status = None
    headers, found = _headers(form.get("headers"), (*where, "headers"))
    problems += found
    content_type = form.get("content_type")
    if content_type is not None and not isinstance(content_type, str):
        problems.append(at((*where, "content_type"), "must be a string"))
    times = form.get("times")
    problems += times_problems(times, (*where, "times"))
    delay, delay_max, found = parse_delay(form.get("delay"), (*where, "delay"))
    problems += found
    fault, fault_seconds, found = _fault(form.get("fault"), (*where, "fault"))
    problems += found
    reply, found = _reply(form, where, coll, op, status, bodies[0] if bodies else None)
    problems += found
    if problems or reply is None:
        return None, problems
    reply = Reply(
        kind=reply.kind,
        status=status if status is not None else reply.status,
        headers=headers,
        json=reply.json,
        body=reply.body,
        content_type=content_type or reply.content_type,
        example=reply.example,
        overrides=reply.overrides,
        template=reply.template,
        delay=delay,
        delay_max=delay_max,
        fault=fault,
        fault_seconds=fault_seconds,
    )
    return Step(reply, times), []


def _reply(
    form: Mapping[str, Any],
    where: Path,
    coll: Collection,
    op: Operation,
    status: int | None,
    body: str | None,
) -> tuple[Reply | None, list[FormProblem]]:
    """The kind-specific part of a step's reply."""
    here = (*where, body) if body else where
    if body == "json":
        problem = _json_problem(form["json"])
        return (None, [at(here, problem)]) if problem else (Reply(json=form["json"]), [])
    if body == "body":
        if isinstance(form["body"], bytes):  # the fixture's raw bytes: no type assumed
            return Reply(body=form["body"]), []
        if not isinstance(form["body"], str):
            return None, [at(here, "must be a string (use json for structured bodies)")]
        ctype = None if "content_type" in form else "text/plain; charset=utf-8"
        return Reply(body=form["body"].encode(), content_type=ctype), []
    if body == "template":
        from pytest_mockamocha.engine.respond import templates

        problems = templates.problems(form["template"], here)
        return (
            (None, problems)
            if problems
            else (Reply(kind="template", template=form["template"]), [])
        )
    if body == "example":  # without a status, the status of the response that holds it
        name = form["example"]
        statuses = example_statuses(coll, op)
        if not isinstance(name, str) or name not in statuses:
            listed = ", ".join(sorted(statuses)) or "none"
            return None, [
                at(here, f"names {name!r}, no example of {op.name} (its examples: {listed})")
            ]
        return Reply(kind="example", example=name, status=statuses[name]), []
    problem = _declared_problem(op, status, form.get("fault"))
    if problem:
        return None, [at((*where, "status") if status else where, problem)]
    overrides = form.get("generate", {})
    if overrides is True:
        overrides = {}
    if not isinstance(overrides, Mapping):
        return None, [at(here, "must be true or an object of property overrides")]
    problem = _json_problem(overrides)
    if problem:
        return None, [at(here, problem)]
    if overrides:
        key = op.declared_key(status) if status else op.success_status()
        found = coll.responder.override_problem(op, key or "default", overrides)
        if found:
            return None, [at(here, found)]
    if body is None:  # the spec's own answer for the status: its example, else generated
        return Reply(kind="static"), []
    return Reply(kind="generated", overrides=dict(overrides)), []


def _declared_problem(op: Operation, status: int | None, fault: Any) -> str | None:
    """Why a step without a body of its own cannot answer ``status`` from the spec."""
    if fault in SILENT_FAULTS:
        return None  # nothing is sent: the status never reaches the client
    key = op.success_status() if status is None else op.declared_key(status)
    if key is None:
        return f"{undeclared(op, status)}; give json or body to send one anyway"
    return None


def example_statuses(coll: Collection, op: Operation) -> dict[str, int | None]:
    """Every example ``op``'s responses name, with the status of the first response that
    holds it (None for a ``4XX`` range or ``default``)."""
    responder = coll.responder
    found: dict[str, int | None] = {}
    for key, response in op.responses.items():
        content = (responder.deref(response) or {}).get("content") or {}
        for media in content:
            for name in responder.examples.names(op, key, media):
                found.setdefault(name, int(key) if key.isdigit() else None)
    return found


def times_problems(value: Any, where: Path) -> list[FormProblem]:
    """How many requests a step answers: None (all that come) or a whole number >= 1."""
    if value is None or (_is_int(value) and value >= 1):
        return []
    return [at(where, "must be a whole number >= 1")]


def _json_problem(value: Any) -> str | None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        return f"must be JSON: {exc}"
    return None


def _headers(value: Any, where: Path) -> tuple[tuple[tuple[str, str], ...], list[FormProblem]]:
    if value is None:
        return (), []
    if not isinstance(value, Mapping):
        return (), [at(where, "must be an object of header names and values")]
    out, problems = [], []
    for name, text in value.items():
        if not isinstance(text, (str, int, float)) or isinstance(text, bool):
            problems.append(at((*where, name), "must be a string"))
        elif any(ch in str(text) for ch in "\r\n") or any(ch in str(name) for ch in "\r\n:"):
            problems.append(at((*where, name), "must not contain line breaks"))
        elif str(name).lower() in FRAMING_HEADERS:
            problems.append(at((*where, name), "is written by the server from the body it sends"))
        else:
            out.append((str(name), str(text)))
    return tuple(out), problems


def parse_delay(value: Any, where: Path) -> tuple[float, float | None, list[FormProblem]]:
    """A delay: seconds, or ``[min, max]`` (a rule step's and a collection's default)."""
    if value is None:
        return 0.0, None, []
    if is_seconds(value):
        return float(value), None, []
    if isinstance(value, list) and len(value) == 2 and all(is_seconds(v) for v in value):
        low, high = float(value[0]), float(value[1])
        if high >= low:
            return low, high, []
        return 0.0, None, [at(where, f"maximum {high:g} is below the minimum {low:g}")]
    return 0.0, None, [at(where, f"must be seconds (0-{MAX_SECONDS:g}) or [min, max]")]


def _fault(value: Any, where: Path) -> tuple[str | None, float | None, list[FormProblem]]:
    if value is None:
        return None, None, []
    kind, seconds = value, None
    if isinstance(value, Mapping):
        kind, seconds = value.get("kind"), value.get("seconds")
        extra = sorted(set(value) - {"kind", "seconds"})
        if extra:
            return None, None, [at((*where, extra[0]), "is not a fault field (kind, seconds)")]
        if seconds is not None and not is_seconds(seconds):
            return None, None, [at((*where, "seconds"), f"must be 0-{MAX_SECONDS:g} seconds")]
    if kind not in FAULTS:
        return None, None, [at(where, f"must be one of {', '.join(FAULTS)}")]
    return str(kind), None if seconds is None else float(seconds), []


def is_seconds(value: Any) -> bool:
    """A number of seconds a rule may wait: 0 to ``MAX_SECONDS``."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and 0 <= value <= MAX_SECONDS
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def problems_text(problems: list[FormProblem]) -> str:
    """Problems as one message (for ``RuleError``)."""
    return "; ".join(str(p) for p in problems)
