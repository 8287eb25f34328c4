"""The slow path: values from hypothesis-jsonschema when the fast builder cannot find one.

Used only after the fast path has failed every attempt (a pattern with lookaheads,
``if``/``then``/``else``, ``propertyNames``, tight ``not``...). hypothesis and
hypothesis-jsonschema are imported here on first use, never on the common path.

The schema is converted to draft-7 JSON Schema (``convert``), compiled once with
``from_schema`` (per schema, tier and direction; a bounded LRU), and drawn from
deterministically: a fresh ``ConjectureData`` whose only randomness is a
``random.Random`` seeded from the caller's seed, with a provider that never draws the
"constants" hypothesis collects from the modules loaded in the process (those differ
between processes, so the values would). The draw runs under its own ``BuildContext``,
which hypothesis needs for some strategies and which makes it work inside a running
``@given`` test too (``find``/``example`` refuse to nest; this does not nest a test).

Two tiers: ``tidy`` (ASCII text, no undeclared properties, short arrays: readable
values) then ``faithful`` (the schema as written). Each draw is validated by the
document's ``Checker``; ``None`` comes back when no tier finds a valid value.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pytest_mockamocha.errors import RefError
from pytest_mockamocha.generate import strings
from pytest_mockamocha.generate.convert import FORMAT_PREFIX, Converter
from pytest_mockamocha.generate.refs import Refs, Schema

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from pytest_mockamocha.generate.validate import Checker

log = logging.getLogger(__name__)

#: (name, tidy, codec) of each tier, tried in turn.
TIERS = (("tidy", True, "ascii"), ("faithful", False, "utf-8"))
#: Draws per tier before moving on.
DRAWS = 4
#: Compiled strategies kept (per schema, tier and direction).
CACHE_SIZE = 128
#: Formats the fast path writes and the fallback therefore supplies (see ``convert``).
OWN_FORMATS = frozenset(f for f in strings.FORMATS if f not in ("int32", "int64"))
_MISSING = object()
#: One fallback at a time in the process: hypothesis-jsonschema keeps global state.
_LOCK = threading.RLock()


class Fallback:
    """Draws valid values for schemas of one document, version and direction."""

    def __init__(self, refs: Refs, version: str, direction: str, checker: Checker) -> None:
        self.refs = refs
        self.version = version
        self.direction = direction
        self.checker = checker
        #: How many values the fallback supplied, and how many times it found none.
        self.used = 0
        self.failed = 0
        self._strategies: OrderedDict[tuple[str, str], Any] = OrderedDict()

    def value(self, schema: Schema, seed: int) -> tuple[bool, Any]:
        """(True, a valid value drawn from ``seed``) or (False, None) when none is found."""
        key = _key(schema)
        with _LOCK:
            for number, (tier, tidy, codec) in enumerate(TIERS):
                strategy = self._strategy(schema, key, tier, tidy, codec)
                if strategy is None:
                    continue
                for attempt in range(DRAWS):
                    drawn = _draw(strategy, (seed * len(TIERS) + number) * DRAWS + attempt)
                    if drawn is not _MISSING and self._valid(schema, drawn):
                        self.used += 1
                        log.debug("hypothesis-jsonschema fallback (%s tier) for %s", tier, key)
                        return True, drawn
            self.failed += 1
            return False, None

    def _valid(self, schema: Schema, value: Any) -> bool:
        """Whether the document's checker accepts ``value`` (a drawn value may be odd)."""
        try:
            return self.checker.valid(schema, value)
        except (RecursionError, ValueError):
            return False

    def _strategy(
        self, schema: Schema, key: str, tier: str, tidy: bool, codec: str
    ) -> SearchStrategy[Any] | None:
        """The (cached) strategy of one tier, or None when hypothesis-jsonschema cannot."""
        slot = (key, tier)
        if slot in self._strategies:
            self._strategies.move_to_end(slot)
            found: SearchStrategy[Any] | None = self._strategies[slot]
            return found
        found = self._compile(schema, tidy, codec)
        self._strategies[slot] = found
        if len(self._strategies) > CACHE_SIZE:
            self._strategies.popitem(last=False)
        return found

    def _compile(self, schema: Schema, tidy: bool, codec: str) -> SearchStrategy[Any] | None:
        """``from_schema`` of the converted schema; None when it is empty or refused."""
        converter = Converter(self.refs, self.version, self.direction, OWN_FORMATS, tidy=tidy)
        try:
            converted = converter.convert(schema)
        except (RefError, ValueError, RecursionError) as exc:
            log.debug("no fallback for %s: %s", _key(schema), exc)
            return None
        from hypothesis_jsonschema import from_schema

        formats = {FORMAT_PREFIX + name: _format_strategy(name) for name in converter.formats}
        try:
            with _intact():
                strategy = from_schema(
                    converted, custom_formats=formats, allow_x00=False, codec=codec
                )
                if strategy.is_empty:
                    return None
        except Exception as exc:  # hypothesis-jsonschema refusing the schema, in any way
            log.debug("no fallback for %s: %s", _key(schema), exc)
            return None
        return strategy


def _key(schema: Schema) -> str:
    """The cache key of a schema: its canonical JSON (equal schemas share a strategy)."""
    return json.dumps(schema, sort_keys=True, default=repr)


def _draw(strategy: SearchStrategy[Any], seed: int) -> Any:
    """One value of ``strategy`` determined by ``seed`` alone, or ``_MISSING``."""
    from hypothesis.control import BuildContext
    from hypothesis.errors import StopTest
    from hypothesis.internal.conjecture.data import ConjectureData

    data = ConjectureData(random=random.Random(seed), provider=_provider())
    try:
        with _intact(), BuildContext(data, is_final=False, wrapped_test=_draw):
            return data.draw(strategy)
    except StopTest:  # the draw was filtered out, overran or hit an empty strategy
        return _MISSING
    except Exception as exc:  # a strategy that raises (hypothesis-jsonschema's deferred errors)
        log.debug("fallback draw failed: %s", exc)
        return _MISSING
    finally:
        data.freeze()


@contextmanager
def _intact() -> Iterator[None]:
    """Around hypothesis-jsonschema calls: put back the schema constants it may corrupt.

    hypothesis-jsonschema 0.23.1 canonicalises its shared ``FALSEY`` schema
    (``{"not": {}}``) in place when it meets it twice in one tree (``additionalProperties:
    false`` with ``if``/``then``/``else`` does it), leaving ``{}``; from then on every
    schema equal to ``{}`` counts as unsatisfiable in the whole process.
    """
    from hypothesis_jsonschema import _canonicalise

    _restore(_canonicalise)
    try:
        yield
    finally:
        _restore(_canonicalise)


def _restore(module: Any) -> None:
    """``FALSEY`` and ``TRUTHY`` of ``module`` back to ``{"not": {}}`` and ``{}``."""
    falsey, truthy = getattr(module, "FALSEY", None), getattr(module, "TRUTHY", None)
    if isinstance(falsey, dict) and falsey != {"not": {}}:
        falsey.clear()
        falsey["not"] = {}
    if isinstance(truthy, dict) and truthy:
        truthy.clear()


@lru_cache(maxsize=1)
def _provider() -> type[Any]:
    """hypothesis's provider without the constants it collects from loaded modules."""
    from hypothesis.internal.conjecture.providers import HypothesisProvider

    class Provider(HypothesisProvider):
        """Draws from the data's ``random`` only: the same seed, the same value anywhere."""

        def _maybe_draw_constant(self, *args: Any, **kwargs: Any) -> None:
            return None

    return Provider


def _format_strategy(name: str) -> SearchStrategy[str]:
    """Strings of format ``name`` as the fast path writes them, drawn by seed."""
    from hypothesis import strategies as st

    maker: Callable[[random.Random], str] = strings.FORMATS[name]
    return st.integers(min_value=0, max_value=2**64 - 1).map(
        lambda seed: maker(random.Random(seed))
    )
