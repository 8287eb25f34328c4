"""Response rules in their JSON form: checked against the endpoint's operation and turned
into the engine's ``Rule``.

The form is the rule files' (``pytest_mockamocha.engine.rules.form``) without
``collection`` and ``operation``, which the endpoint gives: ``{"match", "response",
"then", "priority", "enabled", "name", "scenario", "state", "next_state"}``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.engine import Collection, Engine
from pytest_mockamocha.engine.respond.reply import contract_problems
from pytest_mockamocha.engine.rules.book import Rule
from pytest_mockamocha.engine.rules.form import RULE_KEYS, parse_rule
from pytest_mockamocha.errors import CollectionNotFoundError, OperationNotFoundError

log = logging.getLogger("pytest_mockamocha.api")

#: the fields a stored rule keeps (and the API accepts): the endpoint gives the rest
STORED_KEYS = tuple(key for key in RULE_KEYS if key not in ("collection", "operation"))


def live_collection(engine: Engine, slug: str) -> Collection:
    """The mounted collection of a stored one; 409 when it is not served."""
    try:
        return engine.collection(slug)
    except CollectionNotFoundError:
        raise ApiError(
            409, "the collection is not served", [f"collection {slug!r} has no spec mounted"]
        ) from None


def check_rule(
    body: Any, coll: Collection, operation: str, base: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The rule (``base`` patched with ``body``) if it is valid, with its contract warnings;
    422 listing each problem by field otherwise."""
    if not isinstance(body, dict):
        raise ApiError(422, "the request body is not valid", ["the body must be a JSON object"])
    merged = {**(base or {}), **body}  # a top-level null removes the field
    form = {key: value for key, value in merged.items() if value is not None}
    op = coll.operation(operation)
    rule, problems = parse_rule(form, (), coll=coll, op=op, rule_id="rule_check", keys=STORED_KEYS)
    if rule is None:
        raise ApiError(422, "the rule is not valid", [str(p) for p in problems])
    return form, warnings_of(rule, coll)


def warnings_of(rule: Rule, coll: Collection) -> list[str]:
    """How a rule's steps break the operation's declared responses (reported, not refused)."""
    op = coll.operation(rule.operation)
    return [
        f"step {n + 1} breaks the contract: {text}"
        for n, step in enumerate(rule.steps)
        for text in contract_problems(coll.responder, op, step.reply)
    ]


def engine_rule(record: Mapping[str, Any], coll: Collection, operation: str) -> Rule | None:
    """The engine's rule for a stored rule record (same id, owned by no test); None (and a
    log line) for a record the current spec no longer supports."""
    try:
        op = coll.operation(operation)
    except OperationNotFoundError:
        return None
    form = {key: record[key] for key in STORED_KEYS if record.get(key) is not None}
    rule, problems = parse_rule(
        form, (), coll=coll, op=op, rule_id=str(record["id"]), keys=STORED_KEYS
    )
    if rule is None:
        log.warning(
            "stored rule %s no longer fits %s: %s",
            record["id"],
            operation,
            "; ".join(str(p) for p in problems),
        )
    return rule
