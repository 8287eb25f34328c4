"""Text from requests, cut to a readable length before it goes into a message.

Messages echo what a client sent (a value that broke a schema, a name, a path); whole, a
10 MB invalid body made a 20 MB answer. ``shorten`` keeps the head and the tail (where
"... is not of type 'integer'" is) and says how much it left out.
"""

from __future__ import annotations

#: longest message, in characters, that echoes what a client sent
MESSAGE_LIMIT = 400


def shorten(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` when short enough, else its head and tail around a note of what was cut."""
    if len(text) <= limit:
        return text
    tail = limit // 4
    head = limit - tail - 40
    return f"{text[:head]}... ({len(text) - head - tail:,} characters cut) ...{text[-tail:]}"
