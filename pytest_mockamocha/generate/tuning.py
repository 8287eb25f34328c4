"""The knobs of generation: how deep values nest and how often optional things appear."""

from __future__ import annotations

#: Nesting depth (object properties, array items) past which values are kept minimal.
MAX_DEPTH = 5
#: Nesting depth at which generation gives up: the schema recurses without end.
HARD_DEPTH = 48
#: Chance of answering with a valid ``example``/``default`` of the schema.
P_EXAMPLE = 0.5
#: Chance of null for a value that may be null (always null past ``MAX_DEPTH``).
P_NULL = 0.1
#: Chance of including an optional property (never past ``MAX_DEPTH``).
P_OPTIONAL = 0.8
#: Items of an array whose size is not constrained: between 1 and this.
DEFAULT_ITEMS = 3
#: Entries of a map-like object (only ``additionalProperties``/``patternProperties``).
DEFAULT_ENTRIES = 3
