"""Report formats and ``FMT[:PATH]`` targets, spelled once for the plugin's
``--mockamocha-report`` and the ``mockamocha report`` commands.

Kept apart from the writers (``analytics.reports``) so that reading options costs no
import of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FORMATS = ("term", "term-missing", "json", "html", "markdown", "junit")
#: the formats printed in the terminal, which take no path
TERMINAL = ("term", "term-missing")
#: where a file format lands when its target names no path
DEFAULT_PATHS = {
    "json": "mockamocha-report.json",
    "html": "mockamocha-report.html",
    "markdown": "mockamocha-report.md",
    "junit": "mockamocha-report.xml",
}


@dataclass(frozen=True, slots=True)
class ReportTarget:
    """A report to write: its format and, for files, the path (None: the default name)."""

    format: str
    path: Path | None = None


def parse_target(text: str, base: Path) -> ReportTarget:
    """``FMT`` or ``FMT:PATH``, a relative PATH taken from ``base``; ValueError otherwise."""
    fmt, _, path = text.strip().partition(":")
    if fmt not in FORMATS:
        raise ValueError(f"report format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt in TERMINAL and path:
        raise ValueError(f"the {fmt} report takes no path")
    if not path:
        return ReportTarget(fmt)
    given = Path(path.strip()).expanduser()
    return ReportTarget(fmt, given if given.is_absolute() else base / given)
