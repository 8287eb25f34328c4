"""Media types: which one to answer with (content negotiation) and how to encode a value."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header


def is_json(media: str) -> bool:
    """True for application/json, any ``+json`` type, and wildcards we answer as JSON."""
    base = media.split(";", 1)[0].strip().lower()
    return base in ("application/json", "*/*", "application/*") or base.endswith("+json")


def negotiate(offered: Iterable[str], accept: str | None) -> str | None:
    """The declared media type to answer with, or None when the client accepts none of them."""
    offers = list(offered)
    if not offers:
        return None
    if not accept or accept.strip() in ("*/*", "*"):
        return next((m for m in offers if is_json(m) and "*" not in m), offers[0])
    parsed = parse_accept_header(accept, MIMEAccept)
    concrete = [m for m in offers if "*" not in m]
    best = parsed.best_match(concrete) if concrete else None
    if best:
        return best
    return next((m for m in offers if "*" in m), None)


def concrete_type(media: str, value: Any) -> str:
    """The Content-Type to send for a declared (possibly wildcard) media type."""
    if "*" not in media:
        return media
    if isinstance(value, bytes):
        return "application/octet-stream"
    if isinstance(value, str) and media.startswith("text/"):
        return "text/plain"
    return "application/json"


def encode(value: Any, media: str) -> bytes:
    """The bytes of ``value`` sent as ``media``."""
    if isinstance(value, bytes):
        return value
    if is_json(media):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    if isinstance(value, str):
        return value.encode()
    if value is None:
        return b""
    return json.dumps(value, ensure_ascii=False).encode()


def with_charset(media: str) -> str:
    """Text types get ``; charset=utf-8`` so clients decode them right."""
    if media.startswith("text/") and "charset" not in media:
        return f"{media}; charset=utf-8"
    return media
