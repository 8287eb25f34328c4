"""``mockamocha report``: re-render a saved JSON report, combine the reports of CI shards,
and compare two reports.

- ``mockamocha report SAVED.json [--format FMT] [-o PATH]`` (also ``report render``)
  makes any format from the JSON report of a run, without the suite or its server.
- ``mockamocha report combine SHARD... [--format FMT[:PATH]]... [--fail-under PCT]``
  merges the reports of shards (and xdist runs) into the report of the whole suite.
- ``mockamocha report diff BASE HEAD [--format term|markdown|json] [--fail-on-loss]``
  lists what lost or gained coverage, and new contract violations.

Exit status: 0; 1 when a file cannot be read or reports cannot be combined (the error
names the file); 2 when a gate fails (``--fail-under``, ``--fail-on-loss``), as
``coverage report --fail-under`` does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from pytest_mockamocha.analytics.targets import FORMATS, ReportTarget, parse_target

GATE_FAILED = 2
_PATH = click.Path(dir_okay=False, path_type=Path)


class _ReportGroup(click.Group):
    """``report`` runs ``render`` when its first argument is not a subcommand, so
    ``mockamocha report SAVED.json`` keeps working."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["render", *args]
        return super().parse_args(ctx, args)


@click.group("report", cls=_ReportGroup)
def report_command() -> None:
    """Re-render, combine and compare saved JSON reports (``report SAVED.json`` renders)."""


@report_command.command("render")
@click.argument("saved", type=_PATH)
@click.option(
    "--format",
    "fmt",
    default="term",
    show_default=True,
    type=click.Choice(FORMATS),
    help="The format to render.",
)
@click.option("--output", "-o", type=_PATH, default=None, help="Write here instead of stdout.")
def render_command(saved: Path, fmt: str, output: Path | None) -> None:
    """Re-render SAVED, a JSON report of a pytest run, in another format."""
    from pytest_mockamocha.analytics.reports import render
    from pytest_mockamocha.analytics.reports.jsonfile import load
    from pytest_mockamocha.errors import ReportError

    try:
        model = load(_read(saved), str(saved))
        text = render(fmt, model)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    except (KeyError, TypeError) as exc:
        raise click.ClickException(f"{saved}: the report lacks a field ({exc})") from None
    _emit(text, output, fmt)


@report_command.command("combine")
@click.argument("shards", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "targets",
    multiple=True,
    metavar="FMT[:PATH]",
    help=f"A report to make: {', '.join(FORMATS)}; repeatable; a file format without "
    "PATH goes to --output or stdout. [default: term]",
)
@click.option("--output", "-o", type=_PATH, default=None, help="Where the one report goes.")
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PCT",
    help="Exit 2 when the combined operation coverage is below PCT.",
)
def combine_command(
    shards: tuple[Path, ...],
    targets: tuple[str, ...],
    output: Path | None,
    fail_under: float | None,
) -> None:
    """Combine the JSON reports of SHARDS (files, or folders of them) into one.

    Every count is the one a run of the whole suite in one process gives. Shards whose
    document differs for a collection are refused; other differences (seed, strict mode)
    are noted in the report."""
    from pytest_mockamocha.analytics.combine import combine_files
    from pytest_mockamocha.analytics.coverage import operation_coverage
    from pytest_mockamocha.errors import ReportError

    wanted = _targets(targets, output)
    try:
        model, unreadable = combine_files(shards)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    for target in wanted:
        _emit(_render(target.format, model), target.path, target.format)
    for problem in unreadable:
        click.echo(f"error: {problem}", err=True)
    read = model["run"]["shards"]
    click.echo(f"combined the reports of {read} run(s)", err=True)
    if unreadable:
        raise click.ClickException(
            f"{len(unreadable)} report(s) could not be read; the combined report counts the rest"
        )
    _gate_coverage(operation_coverage(model), fail_under)


@report_command.command("diff")
@click.argument("base", type=_PATH)
@click.argument("head", type=_PATH)
@click.option(
    "--format",
    "fmt",
    default="term",
    show_default=True,
    type=click.Choice(("term", "markdown", "json")),
    help="term for people, markdown for a pull-request comment, json for tools.",
)
@click.option("--output", "-o", type=_PATH, default=None, help="Write here instead of stdout.")
@click.option(
    "--fail-on-loss",
    is_flag=True,
    help="Exit 2 when anything lost coverage or HEAD has more violations.",
)
def diff_command(base: Path, head: Path, fmt: str, output: Path | None, fail_on_loss: bool) -> None:
    """Compare two JSON reports: what lost or gained coverage from BASE to HEAD, and new
    contract violations."""
    from pytest_mockamocha.analytics.diff import diff, has_loss, render_markdown, render_term
    from pytest_mockamocha.analytics.reports.jsonfile import load
    from pytest_mockamocha.errors import ReportError

    try:
        change = diff(load(_read(base), str(base)), load(_read(head), str(head)))
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        text = json.dumps(change, indent=2, ensure_ascii=False) + "\n"
    else:
        text = (render_markdown if fmt == "markdown" else render_term)(change)
    _emit(text, output, fmt)
    if fail_on_loss and has_loss(change):
        click.echo(
            f"FAIL: {change['lost']} lost, {change['new_violations']} new violations "
            "(--fail-on-loss)",
            err=True,
        )
        raise SystemExit(GATE_FAILED)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror or exc}") from None


def _targets(given: Sequence[str], output: Path | None) -> list[ReportTarget]:
    """The reports to make; ``--output`` goes to the one report that names no path."""
    try:
        wanted = [parse_target(text, Path.cwd()) for text in given] or [ReportTarget("term")]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from None
    if output is None:
        return wanted
    pathless = [t for t in wanted if t.path is None]
    if len(pathless) != 1:
        raise click.BadParameter(
            "--output needs exactly one --format without a PATH", param_hint="--output"
        )
    return [ReportTarget(t.format, output) if t.path is None else t for t in wanted]


def _render(fmt: str, model: Any) -> str:
    from pytest_mockamocha.analytics.reports import render

    return render(fmt, model)


def _emit(text: str, output: Path | None, fmt: str) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"{fmt} report written to {output}", err=True)


def _gate_coverage(coverage: float, fail_under: float | None) -> None:
    if fail_under is None:
        return
    if coverage < fail_under:
        click.echo(
            f"FAIL: operation coverage {coverage:g}% is below --fail-under={fail_under:g}%",
            err=True,
        )
        raise SystemExit(GATE_FAILED)
    click.echo(f"operation coverage {coverage:g}% reaches --fail-under={fail_under:g}%", err=True)
