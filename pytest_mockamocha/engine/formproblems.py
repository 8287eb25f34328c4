"""Problems found in the dict form of a rule, each at a path inside it.

Rule files turn the path into a file and line; the management API into a field name;
the fixture into a ``RuleError``. One type, so every entry point words a problem alike.
"""

from __future__ import annotations

from typing import NamedTuple

Path = tuple[str | int, ...]


class FormProblem(NamedTuple):
    """``message`` about the value at ``at`` (``("match", "query", "status")``)."""

    at: Path
    message: str

    @property
    def field(self) -> str:
        """The path as a dotted field name: ``match.body[0].regex``."""
        out = ""
        for part in self.at:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out or "(rule)"

    def __str__(self) -> str:
        return f'Field "{self.field}" {self.message}' if self.at else self.message


def at(path: Path, message: str) -> FormProblem:
    """Shorthand: a problem at ``path``."""
    return FormProblem(tuple(path), message)
