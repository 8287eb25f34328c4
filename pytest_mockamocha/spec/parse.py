"""Turn the bytes of a YAML or JSON file into plain JSON-like data, safely.

Safe means: the C safe loader, dates kept as strings (JSON Schema sees strings), every
mapping key a string (PyYAML reads ``200:`` as an int), and alias bombs refused before
anything walks the expanded tree.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from pytest_mockamocha.errors import SpecError

#: Largest expanded size (nodes, counting every alias use) a document may have.
MAX_EXPANDED_NODES = 5_000_000

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


@cache
def _loader() -> Any:
    """The C safe loader with timestamps left as strings, as JSON would. PyYAML loads with
    the first YAML text parsed, not at start: a warm start reads the compiled document."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc]
        """Safe loader that leaves timestamps as strings."""

    Loader.yaml_implicit_resolvers = {
        first: [
            (tag, _BOOL if tag == "tag:yaml.org,2002:bool" else rx)
            for tag, rx in resolvers
            if tag != "tag:yaml.org,2002:timestamp"
        ]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return Loader


#: what ``fast_json`` answers for bytes it leaves to ``parse_text``
NOT_FAST: Any = object()
_JSON_START = re.compile(rb"[ \t\r\n]*[\[{]")
#: an escape that may spell half of a surrogate pair, in JSON bytes
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")
#: digits as "0", minus signs kept, every other byte a space: the shape of the numbers
_NUMBER_SHAPES = bytes(48 if 48 <= b <= 57 else 45 if b == 45 else 32 for b in range(256))


def fast_json(data: bytes, *, known: bool = False) -> Any:
    """The JSON document ``data`` holds, read by orjson from the bytes, else ``NOT_FAST``.

    On GitHub's 13 MB document this is ~75 ms where decoding the text and ``json.loads``
    took ~130 ms. What orjson reads is finite JSON: no NaN or infinity (which it refuses)
    and only string keys. Whatever it refuses (those, a lone surrogate, bytes that are not
    UTF-8, text that is not JSON) or reads otherwise (an integer past 64 bits, which it
    makes a float) is left to ``parse_text``, whose answers and messages are the
    reference. ``known``: these bytes were read this way before (the document cache
    keeps no copy of such a document), so the checks need not be made again."""
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    if not known and (
        not _JSON_START.match(data, start)
        or _SURROGATE_ESCAPE_BYTES.search(data)
        or _past_64_bits(data)
    ):
        return NOT_FAST
    import orjson

    try:
        return orjson.loads(memoryview(data)[start:] if start else data)
    except orjson.JSONDecodeError:
        return NOT_FAST


def _past_64_bits(data: bytes) -> bool:
    """Whether ``data`` may spell an integer beyond 64 bits (20 digits, or 19 after a
    minus sign), which orjson reads as a float: a string of digits counts too, so a
    document holding one is read the slower, exact way (~25 ms on 13 MB)."""
    shapes = data.translate(_NUMBER_SHAPES)
    return b"0" * 20 in shapes or b"-" + b"0" * 19 in shapes


def parse_text(data: bytes | str, source: str) -> Any:
    """Parse JSON (when it looks like JSON) or YAML; errors name the source and line."""
    if isinstance(data, bytes):
        doc = fast_json(data)
        if doc is not NOT_FAST:
            return doc
    return parse_slowly(data, source)


def parse_slowly(data: bytes | str, source: str) -> Any:
    """``parse_text`` without ``fast_json``: for bytes it has already left to it."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) or source.endswith(".json"):
        try:
            # JSON has no aliases and only string keys: what normalise walks for is not
            # there, and on a large document the walk costs more than the parse
            return refuse_lone_surrogates(json.loads(text), source, text)
        except RecursionError:
            raise SpecError("document is nested too deeply", source=source) from None
        except json.JSONDecodeError as exc:
            if source.endswith(".json"):
                raise SpecError(
                    f"invalid JSON: {exc.msg} (column {exc.colno})", source=source, line=exc.lineno
                ) from None
    import yaml

    try:
        doc = yaml.load(text, Loader=_loader())  # noqa: S506 - _loader() is a SafeLoader
    except RecursionError:
        raise SpecError("document is nested too deeply", source=source) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise SpecError(
            f"invalid YAML: {exc.problem or exc.context}", source=source, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", source=source) from None
    return normalise(doc, source, text)


def normalise(doc: Any, source: str, text: str = "") -> Any:
    """Refuse alias bombs and turn non-string mapping keys into strings, in place; refuse
    text no file can hold (a lone surrogate, which ``text`` escapes to be read at all)."""
    sizes: dict[int, int] = {}
    try:
        _expanded_size(doc, sizes, source)
    except RecursionError:
        raise SpecError("document is nested too deeply", source=source) from None
    return refuse_lone_surrogates(doc, source, text)


def refuse_lone_surrogates(doc: Any, source: str, text: str) -> Any:
    """``doc``, unless ``text`` escapes a lone surrogate into it (SpecError at its pointer)."""
    if _SURROGATE_ESCAPE.search(text):
        where = lone_surrogate(doc)
        if where is not None:
            raise SpecError(
                "text holds a lone surrogate (an escaped \\ud800-\\udfff that is not half of "
                "a pair); no UTF-8 file can store it",
                source=source,
                pointer=where,
            )
    return doc


#: an escape that may spell half of a surrogate pair (JSON ``\ud83d``, YAML ``\U0000d83d``)
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def lone_surrogate(value: Any) -> str | None:
    """The JSON pointer of the first string or key holding a lone surrogate, else None.

    A decoder joins a valid escaped pair into one character, so any surrogate left is
    alone: no UTF-8 encoder (a file, the store, an answer) accepts it."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if _SURROGATES.search(node):
                return where or "/"
        elif isinstance(node, dict):
            for key, child in node.items():
                here = f"{where}/{_escape(key)}"
                if isinstance(key, str) and _SURROGATES.search(key):
                    return here
                stack.append((child, here))
        elif isinstance(node, list):
            stack.extend((child, f"{where}/{i}") for i, child in enumerate(node))
    return None


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


_IN_PROGRESS = -1


def _expanded_size(node: Any, sizes: dict[int, int], source: str) -> int:
    # Each container is visited once (aliases share objects), so this costs the
    # document's real size while it computes the size anything walking it would see.
    if not isinstance(node, (dict, list)):
        return 1
    known = sizes.get(id(node))
    if known == _IN_PROGRESS:
        raise SpecError(
            "a YAML alias refers to its own ancestor (a recursive document)", source=source
        )
    if known is not None:
        return known
    sizes[id(node)] = _IN_PROGRESS
    if isinstance(node, dict):
        if any(not isinstance(k, str) for k in node):
            fixed = {_key(k): v for k, v in node.items()}
            node.clear()
            node.update(fixed)
        children: Iterable[Any] = node.values()
    else:
        children = node
    total = 1 + sum(_expanded_size(child, sizes, source) for child in children)
    if total > MAX_EXPANDED_NODES:
        raise SpecError(
            f"document expands to more than {MAX_EXPANDED_NODES:,} nodes "
            "(a YAML alias bomb?); refusing to load it",
            source=source,
        )
    sizes[id(node)] = total
    return total


def _key(key: object) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)
