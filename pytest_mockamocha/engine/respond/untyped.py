"""Bodies for content a document declares without saying what it holds: a media type with
no schema, or a binary string (``format: binary``) sent as a binary type.

Such an answer was empty (``text/plain`` "the id of this update", ``text/event-stream``),
or 16 hex characters sent as an image. It is now something a client of that type can
read: a short text, one server-sent event, an HTML page, an XML document, a CSV table,
a real 1x1 PNG or GIF, or random bytes for other binary types.
"""

from __future__ import annotations

import random
import struct
import zlib
from typing import Any

from pytest_mockamocha.engine.media import is_json, is_xml


def _png() -> bytes:
    """A valid 1x1 transparent PNG (signature, IHDR, IDAT, IEND with their CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)  # 1x1, 8-bit RGBA
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")  # filter byte, one transparent pixel
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


#: the classic 1x1 transparent GIF
_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
_IMAGES = {"image/png": _png(), "image/gif": _GIF}


def untyped_body(media: str, rng: random.Random) -> Any:
    """A body for ``media`` (the type sent, not a wildcard range) that says nothing more:
    ``{}`` for JSON, text for text types, bytes for the rest."""
    base = media.split(";", 1)[0].strip().lower()
    if is_json(base):
        return {}
    token = f"{rng.getrandbits(48):012x}"
    if is_xml(base):
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<value>{token}</value>\n'
    if base == "text/event-stream":
        return f"data: {token}\n\n"
    if base == "text/html":
        return f"<!DOCTYPE html>\n<html><head><title>{token}</title></head><body></body></html>\n"
    if base == "text/csv":
        return f"value\n{token}\n"
    if base == "application/x-www-form-urlencoded":
        return f"value={token}"
    if base.startswith("text/"):
        return token
    return binary_body(base, rng)


def binary_body(media: str, rng: random.Random) -> bytes:
    """Bytes sent as ``media``: a real image for PNG and GIF, random bytes otherwise."""
    found = _IMAGES.get(media.split(";", 1)[0].strip().lower())
    return found if found is not None else rng.randbytes(16)


def is_binary_string(schema: Any) -> bool:
    """Whether ``schema`` (followed) is ``type: string, format: binary``: raw bytes."""
    return (
        isinstance(schema, dict)
        and schema.get("type") == "string"
        and schema.get("format") == "binary"
    )


def is_binary_media(media: str) -> bool:
    """A type whose body is bytes, not text: neither JSON, XML, text nor a form."""
    base = media.split(";", 1)[0].strip().lower()
    return not (
        is_json(base)
        or is_xml(base)
        or base.startswith("text/")
        or base in ("application/x-www-form-urlencoded", "multipart/form-data")
    )
