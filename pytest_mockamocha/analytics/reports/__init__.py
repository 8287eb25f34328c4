"""Report writers, one module per format, each rendering the coverage report model.

The model is what ``analytics.coverage.report`` returns (and what the ``json`` format
saves), so a saved JSON report re-renders in any other format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytest_mockamocha.analytics.reports import htmlpage, jsonfile, junit, markdown, term
from pytest_mockamocha.analytics.targets import DEFAULT_PATHS, FORMATS, TERMINAL

_RENDER: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "term": term.render,
    "term-missing": term.render_missing,
    "json": jsonfile.render,
    "html": htmlpage.render,
    "markdown": markdown.render,
    "junit": junit.render,
}


def render(fmt: str, model: Mapping[str, Any]) -> str:
    """The report ``model`` as text in format ``fmt`` (one of ``FORMATS``)."""
    try:
        writer = _RENDER[fmt]
    except KeyError:
        choices = ", ".join(FORMATS)
        raise ValueError(f"unknown report format {fmt!r}; choose one of {choices}") from None
    return writer(model)


__all__ = ["DEFAULT_PATHS", "FORMATS", "TERMINAL", "render"]
