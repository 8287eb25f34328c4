"""Prefixed random identifiers (``rule_…``, ``req_…``) as the management API documents them."""

from __future__ import annotations

import secrets


def new_id(prefix: str, nbytes: int = 6) -> str:
    """A fresh id such as ``rule_3f9a0c1b2d4e``: the prefix names the kind, the rest is random."""
    return f"{prefix}_{secrets.token_hex(nbytes)}"
