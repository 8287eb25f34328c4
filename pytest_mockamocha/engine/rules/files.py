"""YAML rule files: the rules a suite or ``serve`` loads at start, checked on load.

    version: 1
    rules:
      - collection: petstore        # optional while one collection is loaded
        operation: GET /pets/{petId}
        match: {path: {petId: 7}}
        response: {status: 404}

Every problem names the file and line; a file with any problem loads nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pytest_mockamocha.engine.formproblems import FormProblem, at
from pytest_mockamocha.engine.respond.reply import contract_problems
from pytest_mockamocha.engine.rules.book import Rule, RuleBook
from pytest_mockamocha.engine.rules.form import parse_rule
from pytest_mockamocha.errors import (
    CollectionNotFoundError,
    MockamochaWarning,
    OperationNotFoundError,
    RuleFileError,
    SpecError,
)
from pytest_mockamocha.spec.parse import parse_text

if TYPE_CHECKING:
    from pytest_mockamocha.engine.collection import Collection

_FILE_KEYS = ("version", "rules")
_MAX_BYTES = 8 * 1024 * 1024


class Engine(Protocol):
    """What a rule file needs of the engine: its collections and its rule book."""

    @property
    def rules(self) -> RuleBook:
        """Where the file's rules go."""
        ...

    def collection(self, slug: str) -> Collection:
        """The collection a rule names."""
        ...

    def __iter__(self) -> Iterator[Collection]: ...


@dataclass(frozen=True)
class LoadedRules:
    """What a rule file added: its rules, and contract warnings (``file:line: text``)."""

    source: str
    rules: tuple[Rule, ...]
    warnings: tuple[str, ...]


def load_rule_file(
    path: str | PathLike[str], engine: Engine, *, owner: str | None = None, warn: bool = True
) -> LoadedRules:
    """Check every rule of the file and put them in the engine's rule book.

    Raises ``RuleFileError`` listing every problem with its line (nothing is loaded then);
    with ``warn``, each contract problem is also a ``MockamochaWarning``."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise RuleFileError(f"{file}: cannot read the rule file: {exc.strerror}") from None
    if len(raw) > _MAX_BYTES:
        raise RuleFileError(f"{file}: rule files are limited to {_MAX_BYTES:,} bytes")
    text = raw.decode("utf-8", errors="replace")
    rules, problems, drift = parse_rule_text(text, engine, source=file.name, owner=owner)
    if problems:
        listed = "\n".join(f"  {file}:{line}: {message}" for line, message in problems)
        raise RuleFileError(f"{file}: {len(problems)} problem(s) in the rule file:\n{listed}")
    for rule in rules:
        engine.rules.put(rule)
    notes = tuple(f"{file}:{line}: {message}" for line, message in drift)
    if warn:
        for note in notes:
            warnings.warn(MockamochaWarning(note), stacklevel=2)
    return LoadedRules(str(file), tuple(rules), notes)


def parse_rule_text(
    text: str, engine: Engine, *, source: str = "rules.yaml", owner: str | None = None
) -> tuple[list[Rule], list[tuple[int, str]], list[tuple[int, str]]]:
    """The rules of a rule file's text, its problems and its contract warnings (with lines)."""
    import yaml  # with the first rule file, not at start

    try:
        data = parse_text(text, source)  # safe: no tags, no alias bombs, string keys
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except SpecError as exc:
        return [], [(exc.line or 1, exc.reason)], []
    except yaml.YAMLError as exc:
        return [], [(1, f"invalid YAML: {exc}")], []
    problems: list[FormProblem] = []
    drift: list[FormProblem] = []
    rules: list[Rule] = []
    if not isinstance(data, Mapping):
        problems.append(at((), 'a rule file is an object with "version: 1" and "rules: [...]"'))
    else:
        problems += [
            at((key,), f"is not a rule file field (known: {', '.join(_FILE_KEYS)})")
            for key in data
            if key not in _FILE_KEYS
        ]
        if data.get("version", 1) != 1:
            problems.append(at(("version",), "must be 1 (the only rule file format so far)"))
        items = data.get("rules")
        if not isinstance(items, list):
            problems.append(at(("rules",), "must be a list of rules"))
            items = []
        stem = Path(source).stem
        for i, item in enumerate(items):
            rule, found, notes = _one_rule(item, i, engine, f"{stem}#{i + 1}", owner)
            problems += found
            drift += notes
            if rule is not None:
                rules.append(rule)
    lines = [(_line(node, p.at), str(p)) for p in problems]
    located = [(_line(node, p.at), str(p)) for p in drift]
    return (rules if not lines else []), sorted(lines), located


def _one_rule(
    item: Any, i: int, engine: Engine, rule_id: str, owner: str | None
) -> tuple[Rule | None, list[FormProblem], list[FormProblem]]:
    where = ("rules", i)
    if not isinstance(item, Mapping):
        return None, [at(where, "must be an object")], []
    slugs = [c.slug for c in engine]
    slug = item.get("collection")
    if slug is None and len(slugs) != 1:
        return None, [at(where, f'needs "collection": several are loaded ({", ".join(slugs)})')], []
    try:
        coll = engine.collection(str(slug) if slug is not None else slugs[0])
    except CollectionNotFoundError:
        known = ", ".join(slugs) or "none"
        return (
            None,
            [at((*where, "collection"), f"names no loaded collection (loaded: {known})")],
            [],
        )
    name = item.get("operation")
    if not isinstance(name, str):
        return None, [at(where, 'needs "operation": "METHOD /path" or an operationId')], []
    try:
        op = coll.operation(name)
    except OperationNotFoundError as exc:
        return None, [at((*where, "operation"), str(exc))], []
    rule, problems = parse_rule(item, where, coll=coll, op=op, rule_id=rule_id, owner=owner)
    if rule is None:
        return None, problems, []
    drift = [
        at((*where, "response" if n == 0 else "then"), f"breaks the contract: {text}")
        for n, step in enumerate(rule.steps)
        for text in contract_problems(coll.responder, op, step.reply)
    ]
    return rule, [], drift


def _line(node: Any, path: tuple[str | int, ...]) -> int:
    """The 1-based line of the field at ``path`` (its key's line; of its nearest existing
    parent when it is missing)."""
    if node is None:
        return 1
    import yaml

    line = node.start_mark.line
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == part), None)
            if pair is not None:
                child, line = pair[1], pair[0].start_mark.line
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line
        if child is None:
            break
        node = child
    return int(line) + 1
