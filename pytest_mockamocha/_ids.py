"""Prefixed random identifiers (``rule_…``, ``req_…``) as the management API documents them."""

from __future__ import annotations

import secrets

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def new_id(prefix: str, length: int = 12) -> str:
    """A fresh id such as ``rule_k3x9…``: the prefix names the kind, the rest is random."""
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))
