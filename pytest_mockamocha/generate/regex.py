"""Strings that match a regular expression, built from Python's own regex parser.

The pattern is parsed once into a small tree of nodes (literal runs, character sets,
alternations, groups, repeats, back-references); walking that tree with a ``Random``
yields a matching string. Lookarounds and word boundaries are ignored (best effort);
a pattern the parser rejects or that uses an unknown construct gives ``None``.
"""

from __future__ import annotations

import random
import re
import string
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Union

if sys.version_info >= (3, 11):
    from re import _constants as sre
    from re import _parser as sre_parse
else:  # pragma: no cover - exercised on Python 3.10 only
    import sre_constants as sre
    import sre_parse

#: Extra repetitions an unbounded or wide repeat may add on top of its minimum.
REPEAT_SPAN = 3
#: Characters a negated set or ``.`` draws from: printable ASCII without whitespace controls.
_PRINTABLE = "".join(chr(c) for c in range(32, 127))
SAFE = string.ascii_letters + string.digits
_CATEGORIES: dict[Any, str] = {
    sre.CATEGORY_DIGIT: string.digits,
    sre.CATEGORY_NOT_DIGIT: string.ascii_letters + "-_ ",
    sre.CATEGORY_SPACE: " ",
    sre.CATEGORY_NOT_SPACE: SAFE + "-_.",
    sre.CATEGORY_WORD: SAFE + "_",
    sre.CATEGORY_NOT_WORD: " -.,:;!",
}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}
_IGNORED = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}


class Unsupported(ValueError):
    """The pattern uses a construct this generator cannot produce."""


@dataclass(frozen=True, slots=True)
class Chars:
    """One character out of ``choices``."""

    choices: str


@dataclass(frozen=True, slots=True)
class Alt:
    """One of several alternative sequences."""

    options: tuple[Seq, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """A sequence whose text is remembered under ``number`` for back-references."""

    number: int | None
    body: Seq


@dataclass(frozen=True, slots=True)
class Repeat:
    """``body`` repeated between ``low`` and ``high`` times (``high`` None: unbounded)."""

    low: int
    high: int | None
    body: Seq


@dataclass(frozen=True, slots=True)
class Backref:
    """The text an earlier group produced."""

    number: int


@dataclass(frozen=True, slots=True)
class IfGroup:
    """``yes`` when group ``number`` matched, else ``no``."""

    number: int
    yes: Seq
    no: Seq


Node = Union[str, Chars, Alt, Group, Repeat, Backref, IfGroup]  # noqa: UP007 (runtime alias)
Seq = tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Program:
    """A parsed pattern and whether it is anchored at either end."""

    body: Seq
    starts_anchored: bool
    ends_anchored: bool


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Program | None:
    """The generation program for ``pattern``, or None when it cannot be generated from."""
    try:
        parsed: Any = sre_parse.parse(pattern)
        body = _seq(list(parsed))
    except (re.error, Unsupported, RecursionError, OverflowError, ValueError, TypeError):
        return None
    items = list(parsed)
    starts = bool(items) and items[0][0] == sre.AT and items[0][1] == sre.AT_BEGINNING
    ends = (
        bool(items) and items[-1][0] == sre.AT and items[-1][1] in (sre.AT_END, sre.AT_END_STRING)
    )
    return Program(body, starts, ends)


def _seq(items: list[tuple[Any, Any]]) -> Seq:
    """Nodes for a parsed sequence, with adjacent literals joined into one string."""
    out: list[Node] = []
    for op, arg in items:
        node = _node(op, arg)
        if node is None:
            continue
        if isinstance(node, str) and out and isinstance(out[-1], str):
            out[-1] = out[-1] + node
        else:
            out.append(node)
    return tuple(out)


def _node(op: Any, arg: Any) -> Node | None:
    """One node for a parsed ``(op, arg)`` pair; None for zero-width items."""
    if op == sre.LITERAL:
        return chr(arg)
    if op == sre.NOT_LITERAL:
        return Chars("".join(c for c in SAFE if ord(c) != arg))
    if op == sre.ANY:
        return Chars(SAFE)
    if op == sre.IN:
        return Chars(_charset(arg))
    if op == sre.BRANCH:
        return Alt(tuple(_seq(list(option)) for option in arg[1]))
    if op == sre.SUBPATTERN:
        return Group(arg[0], _seq(list(arg[-1])))
    if op in _REPEATS:
        low, high, body = arg
        return Repeat(low, None if high == sre.MAXREPEAT else high, _seq(list(body)))
    if op == sre.GROUPREF:
        return Backref(arg)
    if op == sre.GROUPREF_EXISTS:
        return IfGroup(arg[0], _seq(list(arg[1])), _seq(list(arg[2] or [])))
    if op == getattr(sre, "ATOMIC_GROUP", None):
        return Group(None, _seq(list(arg)))
    if op in _IGNORED:
        return None
    raise Unsupported(str(op))


def _charset(items: list[tuple[Any, Any]]) -> str:
    """The characters a ``[...]`` set allows, printable ASCII first."""
    negate = bool(items) and items[0][0] == sre.NEGATE
    members = items[1:] if negate else items
    if negate:
        allowed = "".join(c for c in _PRINTABLE if not _in_set(ord(c), members))
    else:
        allowed = "".join(c for c in _PRINTABLE if _in_set(ord(c), members))
        if not allowed:
            allowed = _wide_members(members)
    if not allowed:
        raise Unsupported("empty character set")
    return allowed


def _in_set(code: int, members: list[tuple[Any, Any]]) -> bool:
    """Whether the character ``code`` is one of the set members."""
    for op, arg in members:
        if op == sre.LITERAL and code == arg:
            return True
        if op == sre.RANGE and arg[0] <= code <= arg[1]:
            return True
        if op == sre.CATEGORY and chr(code) in _CATEGORIES.get(arg, ""):
            return True
    return False


def _wide_members(members: list[tuple[Any, Any]]) -> str:
    """A few characters from non-ASCII set members (``[\u4e00-\u9fff]``)."""
    out: list[str] = []
    for op, arg in members:
        if op == sre.LITERAL:
            out.append(chr(arg))
        elif op == sre.RANGE:
            out.extend(chr(c) for c in range(arg[0], min(arg[1], arg[0] + 25) + 1))
    return "".join(out)


def generate(
    program: Program, rng: random.Random, *, min_length: int = 0, max_length: int | None = None
) -> str | None:
    """A string matching ``program`` within the length bounds, or None after a few tries."""
    span = REPEAT_SPAN
    for _ in range(8):
        out: list[str] = []
        _emit(program.body, rng, out, {}, span)
        text = _pad("".join(out), program, rng, min_length)
        if len(text) < min_length:
            span = span * 2 + min_length - len(text)
        elif max_length is not None and len(text) > max_length:
            span //= 2
        else:
            return text
    return None


def _pad(text: str, program: Program, rng: random.Random, min_length: int) -> str:
    """``text`` lengthened at an unanchored end, since ``pattern`` only needs a match inside."""
    missing = min_length - len(text)
    if missing <= 0:
        return text
    filler = "".join(rng.choice(string.ascii_lowercase) for _ in range(missing))
    if not program.ends_anchored:
        return text + filler
    if not program.starts_anchored:
        return filler + text
    return text


def _emit(seq: Seq, rng: random.Random, out: list[str], groups: dict[int, str], span: int) -> None:
    """Append to ``out`` the text for every node of ``seq``."""
    for node in seq:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Chars):
            out.append(node.choices[rng.randrange(len(node.choices))])
        elif isinstance(node, Repeat):
            high = node.low + span if node.high is None else min(node.high, node.low + span)
            for _ in range(rng.randint(node.low, max(node.low, high))):
                _emit(node.body, rng, out, groups, span)
        elif isinstance(node, Alt):
            _emit(node.options[rng.randrange(len(node.options))], rng, out, groups, span)
        elif isinstance(node, Group):
            start = len(out)
            _emit(node.body, rng, out, groups, span)
            if node.number is not None:
                groups[node.number] = "".join(out[start:])
        elif isinstance(node, Backref):
            out.append(groups.get(node.number, ""))
        else:
            _emit(node.yes if node.number in groups else node.no, rng, out, groups, span)
