"""Media types: which one to answer with (content negotiation) and how to encode a value."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def is_json(media: str) -> bool:
    """True for application/json, any ``+json`` type, and wildcards we answer as JSON."""
    base = media.split(";", 1)[0].strip().lower()
    return base in ("application/json", "*/*", "application/*") or base.endswith("+json")


def is_xml(media: str) -> bool:
    """``application/xml``, ``text/xml`` and every ``+xml`` type."""
    base = _base(media)
    return base.endswith(("/xml", "+xml"))


def negotiate(offered: Iterable[str], accept: str | None) -> str | None:
    """The declared media type to answer with, or None when the request's ``Accept`` rules
    out every one of them.

    As servers do, and not stricter: media-type parameters (``;version=2``, ``;charset``)
    never rule a type out, a JSON answer satisfies any JSON type (``application/json`` and
    every ``+json`` vendor type, as GitHub's ``application/vnd.github+json``) at a lower
    preference than an exact match, and ``q=0`` excludes. Among what is acceptable the
    client's preference (``q``) decides, then how closely the type matched, then the
    document's order."""
    offers = list(offered)
    if not offers:
        return None
    if not accept or accept.strip() in ("*/*", "*"):
        return next((m for m in offers if is_json(m) and "*" not in m), offers[0])
    ranges = _ranges(accept)
    if not ranges:  # an Accept header nothing could be read from accepts anything
        return next((m for m in offers if is_json(m) and "*" not in m), offers[0])
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, offer in enumerate(offers):
        score = _acceptance(_base(offer), ranges)
        if score is None:
            continue
        rank = (score[0], score[1], -order)
        if best is None or rank > best:
            best, chosen = rank, offer
    return chosen


def _base(media: str) -> str:
    return media.split(";", 1)[0].strip().lower()


def _ranges(accept: str) -> list[tuple[str, float]]:
    """``(media range, q)`` of each entry of an ``Accept`` header."""
    found = []
    for entry in accept.split(","):
        media, *params = (part.strip() for part in entry.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        found.append((media.lower(), q))
    return found


def _acceptance(offer: str, ranges: list[tuple[str, float]]) -> tuple[float, int] | None:
    """How an offered type (base, lower case) stands against the ranges: ``(q, closeness)``
    of the closest range that names it (3 exact, 2 JSON family, 1 ``type/*``, 0 ``*/*``),
    None when none does or the closest says ``q=0``."""
    match: tuple[int, float] | None = None
    kind = offer.split("/", 1)[0]
    for media, q in ranges:
        if media == offer or ("*" in offer and _covers(offer, media)):
            closeness = 3
        elif is_json(offer) and is_json(media) and "*" not in media:
            closeness = 2
        elif media == f"{kind}/*":
            closeness = 1
        elif media in ("*/*", "*"):
            closeness = 0
        else:
            continue
        if match is None or closeness > match[0]:
            match = (closeness, q)
    if match is None or match[1] <= 0:
        return None
    return match[1], match[0]


def _covers(wildcard: str, media: str) -> bool:
    """Whether a declared wildcard type (``*/*``, ``application/*``) covers ``media``."""
    kind, _, _sub = wildcard.partition("/")
    return kind == "*" or media.split("/", 1)[0] in (kind, "*")


#: what a declared ``type/*`` range is answered as when the request names no member of it
_MEMBERS = {
    "text": "text/plain",
    "image": "image/png",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "font": "font/woff2",
    "model": "model/gltf-binary",
}


def member_type(media: str, accept: str | None) -> str | None:
    """The type to send for a declared ``type/*`` range (``image/*``): the first type the
    request's ``Accept`` names inside it, else a common one (``image/png``). None for a
    concrete type, ``*/*`` and ``application/*``: what those send follows the value."""
    kind, _, sub = _base(media).partition("/")
    if sub != "*" or kind not in _MEMBERS:
        return None
    for wanted, q in _ranges(accept or ""):
        if q > 0 and wanted.partition("/")[0] == kind and "*" not in wanted:
            return wanted
    return _MEMBERS[kind]


def concrete_type(media: str, value: Any, accept: str | None = None) -> str:
    """The Content-Type to send for a declared (possibly wildcard) media type: a member of
    a ``type/*`` range (see ``member_type``); for ``*/*`` and ``application/*``, JSON, or
    ``application/octet-stream`` for bytes."""
    if "*" not in media:
        return media
    member = member_type(media, accept)
    if member is not None:
        return member
    if isinstance(value, bytes):
        return "application/octet-stream"
    return "application/json"


def encode(value: Any, media: str) -> bytes:
    """The bytes of ``value`` sent as ``media``: JSON for JSON types, a table for
    ``text/csv`` (a list of objects: a header row of their keys, a row each), ``a=1&b=2``
    for a form, text as it is, and JSON text for any other value."""
    if isinstance(value, bytes):
        return value
    if is_json(media):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    if isinstance(value, str):
        return value.encode()
    if value is None:
        return b""
    base = _base(media)
    if base == "text/csv" and isinstance(value, list) and all(isinstance(r, dict) for r in value):
        return _csv(value).encode()
    if base == "application/x-www-form-urlencoded" and isinstance(value, dict):
        from urllib.parse import urlencode

        return urlencode([(k, _field(v)) for k, v in value.items()]).encode()
    return json.dumps(value, ensure_ascii=False).encode()


def _field(value: Any) -> str:
    """One form or CSV field: text as it is, ``true``/``false``, other values as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _csv(rows: list[dict[str, Any]]) -> str:
    import csv
    import io

    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180's line break
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _field(row[c]) for c in columns])
    return out.getvalue()


def with_charset(media: str) -> str:
    """Text types get ``; charset=utf-8`` so clients decode them right."""
    if media.startswith("text/") and "charset" not in media:
        return f"{media}; charset=utf-8"
    return media
