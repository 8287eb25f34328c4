"""Response rules: matchers plus a sequence of replies, kept in one thread-safe book.

The same model serves the fixture's ``when(...)``, rule files and the management API.
A rule is immutable; how often each rule has fired is the book's mutable state. What a
step answers, ``Reply``, lives with the code that renders it (``respond/reply.py``).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pytest_mockamocha.engine.respond.reply import Reply
from pytest_mockamocha.engine.rules.matchers import MatchContext, Matcher, nearest_miss
from pytest_mockamocha.store.base import Shared

#: the initial state of every scenario
STARTED = "started"


def _hits_key(rule_id: str) -> str:
    return f"hits:{rule_id}"


def _state_key(collection: str, scenario: str) -> str:
    """A unit separator keeps ``a`` + ``b-c`` apart from ``a-b`` + ``c``."""
    return f"state:{collection}\x1f{scenario}"


@dataclass(frozen=True, slots=True)
class Step:
    """A reply and how many requests it answers (None: all that come)."""

    reply: Reply
    times: int | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """When a request to ``operation`` fits every matcher, answer with the current step."""

    id: str
    collection: str
    operation: str  # "GET /pets/{petId}"
    matchers: tuple[Matcher, ...] = ()
    steps: tuple[Step, ...] = ()
    priority: int = 0
    owner: str | None = None  # the test that made it; None for stored rules
    enabled: bool = True
    name: str = ""
    #: the rule fires only while ``scenario`` is in ``state`` (None: any state)
    scenario: str | None = None
    state: str | None = None
    #: after firing, move ``scenario`` to this state
    next_state: str | None = None

    def step_for(self, hits: int) -> Step | None:
        """The step that answers after ``hits`` earlier answers, None once retired."""
        used = 0
        for step in self.steps:
            if step.times is None:
                return step
            used += step.times
            if hits < used:
                return step
        return None


@dataclass(frozen=True, slots=True)
class Selection:
    """The outcome of looking for a rule: the rule that answers, or the nearest miss."""

    rule: Rule | None = None
    reply: Reply | None = None
    nearest: Rule | None = None
    reasons: tuple[str, ...] = ()


class RuleBook:
    """All rules of a server, by collection and operation, in precedence order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, Rule] = {}
        self._order: dict[str, int] = {}
        self._hits: dict[str, int] = {}
        self._states: dict[tuple[str, str], str] = {}  # (collection, scenario) -> state
        #: precedence-ordered enabled rules per (collection, operation): every request
        #: asks, rules change rarely; emptied by every change
        self._sorted: dict[tuple[str, str], tuple[Rule, ...]] = {}
        self._seq = itertools.count()
        #: replicas of one server: hits and scenario states live in the shared store
        self.shared: Shared | None = None

    def share(self, shared: Shared) -> None:
        """Keep hit counts (sequence positions) and scenario states in ``shared``, so that
        every replica of a server sees the same ones (rules themselves come from the store)."""
        self.shared = shared

    def put(self, rule: Rule) -> Rule:
        """Add ``rule`` or replace the rule with its id (keeping its hit count)."""
        with self._lock:
            if rule.id not in self._rules:
                self._order[rule.id] = next(self._seq)
                self._hits[rule.id] = 0
            self._rules[rule.id] = rule
            self._sorted.clear()
        return rule

    def remove(self, rule_id: str) -> bool:
        """Forget one rule; False when there was none."""
        with self._lock:
            self._sorted.clear()
            self._order.pop(rule_id, None)
            self._hits.pop(rule_id, None)
            return self._rules.pop(rule_id, None) is not None

    def remove_owned(self, owner: str) -> int:
        """Forget every rule a test made; returns how many."""
        with self._lock:
            doomed = [rid for rid, r in self._rules.items() if r.owner == owner]
        for rid in doomed:
            self.remove(rid)
        return len(doomed)

    def get(self, rule_id: str) -> Rule | None:
        """The rule with this id, if any."""
        with self._lock:
            return self._rules.get(rule_id)

    def hits(self, rule_id: str) -> int:
        """How many requests the rule has answered."""
        if self.shared is not None:
            return self.shared.number(_hits_key(rule_id))
        with self._lock:
            return self._hits.get(rule_id, 0)

    def rules(self, collection: str | None = None, operation: str | None = None) -> list[Rule]:
        """Rules in precedence order: priority, then newest first."""
        with self._lock:
            chosen = [
                r
                for r in self._rules.values()
                if (collection is None or r.collection == collection)
                and (operation is None or r.operation == operation)
            ]
            return sorted(chosen, key=lambda r: (-r.priority, -self._order[r.id]))

    def select(self, collection: str, operation: str, ctx: MatchContext) -> Selection:
        """The rule that answers this request (its hit counted), or the nearest miss.

        The first pass stops at each rule's first miss, so many rules cost little; the
        full explanation (every reason of the nearest rule) is built only when no rule
        answers."""
        candidates = self._candidates(collection, operation)
        if not candidates:
            return Selection()
        for rule in candidates:
            if self._blocked(rule, collection) is None and all(
                m.miss(ctx) is None for m in rule.matchers
            ):
                reply = self._fire(rule)
                if reply is not None:
                    return Selection(rule=rule, reply=reply)
        best: tuple[int, Rule, Sequence[str]] | None = None
        for rule in candidates:
            fits, reasons = nearest_miss(rule.matchers, ctx)
            blocked = self._blocked(rule, collection)
            if blocked is not None:
                reasons.append(blocked)
            if not reasons:
                reasons = ["retired: it answered all the times it was given"]
            if best is None or fits > best[0]:
                best = (fits, rule, reasons)
        assert best is not None
        return Selection(nearest=best[1], reasons=tuple(best[2]))

    def _candidates(self, collection: str, operation: str) -> tuple[Rule, ...]:
        """The enabled rules of one operation in precedence order (cached until a change)."""
        key = (collection, operation)
        with self._lock:
            found = self._sorted.get(key)
            if found is None:
                chosen = [
                    r
                    for r in self._rules.values()
                    if r.enabled and r.collection == collection and r.operation == operation
                ]
                chosen.sort(key=lambda r: (-r.priority, -self._order[r.id]))
                found = self._sorted[key] = tuple(chosen)
            return found

    def _blocked(self, rule: Rule, collection: str) -> str | None:
        """Why a scenario rule cannot fire now (its scenario is in another state)."""
        if rule.scenario is None or rule.state is None:
            return None
        now = self.state(collection, rule.scenario)
        if now == rule.state:
            return None
        return f"scenario {rule.scenario!r} is in state {now!r}, rule wants {rule.state!r}"

    def _fire(self, rule: Rule) -> Reply | None:
        if self.shared is not None:
            return self._fire_shared(rule, self.shared)
        with self._lock:
            if rule.id not in self._rules:
                return None
            hits = self._hits[rule.id]
            step = rule.step_for(hits)
            if step is None:
                return None
            self._hits[rule.id] = hits + 1
            if rule.scenario is not None and rule.next_state is not None:
                self._states[(rule.collection, rule.scenario)] = rule.next_state
            return step.reply

    def _fire_shared(self, rule: Rule, shared: Shared) -> Reply | None:
        """``_fire`` across replicas: the hit is counted in the shared store first (one
        atomic step), so two replicas answering at once take two different steps."""
        with self._lock:
            if rule.id not in self._rules:
                return None
        key = _hits_key(rule.id)
        step = rule.step_for(shared.add(key) - 1)
        if step is None:
            shared.add(key, -1)  # retired: the count stays the number of answers
            return None
        if rule.scenario is not None and rule.next_state is not None:
            shared.set_text(_state_key(rule.collection, rule.scenario), rule.next_state)
        return step.reply

    # -- scenarios -----------------------------------------------------------------------
    def state(self, collection: str, scenario: str) -> str:
        """The current state of a scenario (``started`` until a rule moves it)."""
        if self.shared is not None:
            return self.shared.text(_state_key(collection, scenario)) or STARTED
        with self._lock:
            return self._states.get((collection, scenario), STARTED)

    def set_state(self, collection: str, scenario: str, state: str) -> None:
        """Move a scenario to ``state`` by hand."""
        if self.shared is not None:
            self.shared.set_text(_state_key(collection, scenario), state)
            return
        with self._lock:
            self._states[(collection, scenario)] = state

    def scenarios(self, collection: str) -> dict[str, str]:
        """Every scenario the collection's rules name, with its current state."""
        with self._lock:
            named = {r.scenario for r in self._rules.values() if r.collection == collection}
            states = {name: s for (slug, name), s in self._states.items() if slug == collection}
        if self.shared is not None:
            prefix = _state_key(collection, "")
            states = {k[len(prefix) :]: v for k, v in self.shared.texts(prefix).items()}
        named |= set(states)
        names = sorted(n for n in named if n is not None)
        return {name: states.get(name, STARTED) for name in names}

    def reset(self, collection: str | None = None, scenario: str | None = None) -> None:
        """Scenarios back to ``started`` and rule sequences back to their first step."""
        if self.shared is not None:
            self._reset_shared(self.shared, collection, scenario)
            return
        with self._lock:
            for key in list(self._states):
                if (collection is None or key[0] == collection) and (
                    scenario is None or key[1] == scenario
                ):
                    del self._states[key]
            for rid, rule in self._rules.items():
                if (collection is None or rule.collection == collection) and (
                    scenario is None or rule.scenario == scenario
                ):
                    self._hits[rid] = 0

    def _reset_shared(self, shared: Shared, collection: str | None, scenario: str | None) -> None:
        for key in shared.texts(_state_key(collection, "") if collection else "state:"):
            if scenario is None or key.endswith(f"\x1f{scenario}"):
                shared.set_text(key, None)
        for rule in self.rules(collection):
            if scenario is None or rule.scenario == scenario:
                shared.set_number(_hits_key(rule.id), 0)

    def forget_hits(self, rule_id: str) -> None:
        """A rule deleted for good: its shared count goes too (a replica unmounting it keeps
        the count, which is why ``remove`` does not)."""
        if self.shared is not None:
            self.shared.set_number(_hits_key(rule_id), 0)

    def reset_hits(self, rule_id: str) -> None:
        """Start a rule's sequence again."""
        if self.shared is not None:
            self.shared.set_number(_hits_key(rule_id), 0)
            return
        with self._lock:
            if rule_id in self._hits:
                self._hits[rule_id] = 0

    def replace_steps(self, rule_id: str, steps: tuple[Step, ...]) -> Rule | None:
        """The rule with new steps (used by builders that grow a sequence)."""
        rule = self.get(rule_id)
        return None if rule is None else self.put(replace(rule, steps=steps))
