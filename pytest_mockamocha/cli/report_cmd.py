"""``mockamocha report SAVED.json --format html|markdown|term|term-missing``: re-render a
saved report.

The JSON report of a pytest run (``--mockamocha-report json``) holds the whole report
model, so any other format can be made from it later, without the suite or its server:
for a CI summary from an artifact, or an HTML page from a run on another machine. The
result goes to stdout unless ``--output`` names a file; a bad file is one line on stderr
and exit code 1.
"""

from __future__ import annotations

from pathlib import Path

import click

from pytest_mockamocha.analytics.reports import FORMATS, render
from pytest_mockamocha.analytics.reports.jsonfile import load


@click.command("report")
@click.argument("saved", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    default="term",
    show_default=True,
    type=click.Choice(FORMATS),
    help="The format to render.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here instead of stdout.",
)
def report_command(saved: Path, fmt: str, output: Path | None) -> None:
    """Re-render SAVED, a JSON report of a pytest run, as html, markdown, term or term-missing."""
    try:
        model = load(saved.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{saved}: {exc}") from None
    try:
        text = render(fmt, model)
    except (KeyError, TypeError) as exc:
        raise click.ClickException(f"{saved}: the report lacks a field ({exc})") from None
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"{fmt} report written to {output}", err=True)
