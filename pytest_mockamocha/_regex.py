"""Regular expressions that cannot freeze the server, whoever wrote the pattern.

Python's ``re`` backtracks: ``(a+)+$`` against fifty ``a`` and a ``!`` runs for hours and
holds the GIL, so one stored rule or one imported document could stop every thread of a
team server. Two kinds of pattern reach a request, and each gets the bound that suits it:

* Rules' ``regex`` conditions run on RE2 (google-re2), whose matching time is linear in
  the input. RE2 has no backreferences and no lookaround; ``linear`` refuses such a
  pattern when the rule is made, naming what RE2 did not accept.
* A document's ``pattern``, ``patternProperties`` and ``additionalProperties`` keywords
  are not ours to refuse, and real documents use lookaheads (password rules). ``search``
  runs them on RE2 when it accepts them, else on the ``regex`` module with a time limit per
  match: ``PatternTimeout`` past ``SEARCH_SECONDS``.

Both engines are imported on the first pattern (about 5 MB of a server that may never
meet one).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

#: longest pattern a rule may carry (RE2 compiles in time and memory linear in it)
MAX_PATTERN = 4096
#: how long one match of a document's pattern may run on the backtracking fallback
SEARCH_SECONDS = 0.1
#: RE2's memory budget for one compiled pattern (its default); past it, compilation fails
_RE2_MAX_MEM = 8 << 20

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _re2() -> tuple[Any, Any]:
    """The RE2 module and its options, on first use."""
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern to stderr
    options.max_mem = _RE2_MAX_MEM
    return re2, options


class PatternError(ValueError):
    """A pattern that no linear-time engine can run; the message says why."""


class PatternTimeout(ValueError):
    """A document's pattern took longer than ``SEARCH_SECONDS`` on one value."""


class LinearPattern:
    """A compiled RE2 pattern; ``search`` is linear in the text, whatever the pattern."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str, compiled: Any) -> None:
        self.pattern = pattern
        self._compiled = compiled

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text`` (``re.search`` semantics)."""
        return self._compiled.search(text) is not None

    def __repr__(self) -> str:
        return f"LinearPattern({self.pattern!r})"


@lru_cache(maxsize=1024)
def linear(pattern: str) -> LinearPattern:
    """``pattern`` compiled for RE2; ``PatternError`` naming what RE2 refuses."""
    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"is longer than {MAX_PATTERN:,} characters")
    re2, options = _re2()
    try:
        return LinearPattern(pattern, re2.compile(pattern, options))
    except re2.error as exc:
        refused = _reason(exc)
    try:
        re.compile(pattern)
    except re.error as exc:  # no regular expression at all: say it as Python would
        raise PatternError(f"is not a valid regular expression: {exc}") from None
    raise PatternError(
        f"uses what linear-time matching cannot run ({refused}); rules match with RE2, "
        "which has no backreferences or lookaround"
    )


def _reason(exc: BaseException) -> str:
    """RE2's own words (``invalid perl operator: (?=``), as text."""
    text = exc.args[0] if exc.args else str(exc)
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def search(pattern: str, text: str) -> bool:
    """Whether a document's ``pattern`` matches anywhere in ``text``, in bounded time.

    ``re.error`` for a pattern that is no regular expression; ``PatternTimeout`` when the
    backtracking fallback gives up."""
    compiled = _document_pattern(pattern)
    if isinstance(compiled, LinearPattern):
        return compiled.search(text)
    try:
        return compiled.search(text, timeout=SEARCH_SECONDS) is not None
    except TimeoutError:
        raise PatternTimeout(
            f"matching {pattern!r} took more than {SEARCH_SECONDS} s; the pattern backtracks "
            "without end on this value"
        ) from None


@lru_cache(maxsize=4096)
def _document_pattern(pattern: str) -> LinearPattern | Any:
    """RE2 when it accepts the pattern, else the ``regex`` module's compiled pattern."""
    try:
        return linear(pattern)
    except PatternError:
        pass
    import regex

    try:
        with _LOCK:  # the regex module's compile cache is not documented as thread-safe
            return regex.compile(pattern)
    except regex.error as exc:
        raise re.error(str(exc)) from None
