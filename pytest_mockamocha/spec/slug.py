"""Collection slugs: the URL-safe names mocks are mounted under."""

from __future__ import annotations

import re
from pathlib import Path


def slugify(text: str) -> str:
    """Lower-case letters, digits and single dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "api"


def slug_for(path: Path) -> str:
    """The default slug of a spec file: its lower-case stem (``Pet Store.yaml``: ``pet-store``)."""
    return slugify(path.stem)
