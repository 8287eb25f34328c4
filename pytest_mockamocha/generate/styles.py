"""Identifiers shaped like the spec's own examples: ``ord_1A2b`` gives ``ord_7Xk0``.

An example string that looks like an identifier (no spaces, a digit or a separator in it)
becomes a template: a leading word and its separator (``ord_``, ``INV-``) are kept, and
each later character is replaced by a random one of the same class (upper-case letter,
lower-case letter, digit); other characters are kept. The length stays the same.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from typing import Any

#: Characters that end an identifier's prefix.
SEPARATORS = "_-:/."
_CLASSES = (
    (str.isdigit, string.digits),
    (str.isupper, string.ascii_uppercase),
    (str.islower, string.ascii_lowercase),
)


Template = tuple[str, tuple[str, ...]]


def template(examples: Sequence[Any]) -> Template | None:
    """(prefix, one alphabet per later character) from the first identifier-like example."""
    for example in examples:
        if isinstance(example, str) and _id_like(example):
            cut = _prefix_length(example)
            body = example[cut:]
            return example[:cut], tuple(_alphabet(ch) for ch in body)
    return None


def render(shape: Template, rng: random.Random) -> str:
    """A new identifier of ``shape``: the prefix, then a character from each alphabet."""
    prefix, alphabets = shape
    return prefix + "".join(a if len(a) == 1 else a[rng.randrange(len(a))] for a in alphabets)


def _prefix_length(text: str) -> int:
    """Length of a leading run of letters and the separator after it (``ord_``), else 0."""
    for index, ch in enumerate(text):
        if ch in SEPARATORS:
            return index + 1 if index and index < len(text) - 1 else 0
        if not ch.isalpha():
            return 0
    return 0


def _id_like(text: str) -> bool:
    """No whitespace, ASCII, 3 to 64 characters, and a digit or an inner separator."""
    if not (3 <= len(text) <= 64) or not text.isascii() or any(c.isspace() for c in text):
        return False
    return any(c.isdigit() for c in text) or any(c in SEPARATORS for c in text[1:-1])


def _alphabet(ch: str) -> str:
    """The alphabet a character of the example is redrawn from (itself: kept as is)."""
    for test, alphabet in _CLASSES:
        if test(ch):
            return alphabet
    return ch
