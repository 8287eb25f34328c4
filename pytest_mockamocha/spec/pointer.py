"""JSON pointers (RFC 6901): escaping, and resolving one inside a document."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote


def escape(token: str) -> str:
    """One pointer token, with ``~`` and ``/`` escaped."""
    return token.replace("~", "~0").replace("/", "~1")


def join(base: str, *tokens: object) -> str:
    """``base`` extended by ``tokens`` (``join("/paths", "/pets")`` -> ``/paths/~1pets``)."""
    return base + "".join("/" + escape(str(t)) for t in tokens)


def split(pointer: str) -> list[str]:
    """The unescaped tokens of a pointer; a fragment's percent-escapes are decoded too."""
    if pointer in ("", "/"):
        return [] if pointer == "" else [""]
    return [
        unquote(t).replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")
    ]


_MISSING = object()


def resolve(doc: Any, tokens: Iterable[str]) -> Any:
    """The value at ``tokens`` inside ``doc``; ``KeyError`` names the first missing token."""
    node = doc
    for token in tokens:
        if isinstance(node, dict):
            node = node.get(token, _MISSING)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            node = _MISSING
        if node is _MISSING:
            raise KeyError(token)
    return node
