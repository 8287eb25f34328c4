"""The terminal summary: per collection, requests served, coverage and violations.

The numbers travel as plain JSON-able dicts so xdist workers can ship theirs to the
controller (``workeroutput``), which merges them before printing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_mockamocha.engine import Engine
    from pytest_mockamocha.plugin.options import Settings

MAX_LISTED = 10
Summary = dict[str, dict[str, Any]]


def collect(engine: Engine) -> Summary:
    """This process's numbers, per collection slug (JSON-able: workers ship them)."""
    from pytest_mockamocha.analytics.coverage import summarize

    stats = engine.journal.stats()
    out: Summary = {}
    for coll in engine:
        expected = engine.journal.expected
        bad = [
            r
            for r in engine.journal.records(collection=coll.slug)
            if not r.ok and r.id not in expected
        ]
        responder = coll.responder
        warnings = [
            *coll.spec.warnings,
            *responder.examples.problems.values(),
            *responder.unsatisfiable.values(),
        ]
        out[coll.slug] = summarize(
            coll.slug,
            coll.spec,
            stats.get(coll.slug),
            [_problem_line(r) for r in bad[: MAX_LISTED + 1]],
            [str(w) for w in warnings],
        )
    return out


def merge(parts: list[Summary]) -> Summary:
    """One summary from several (xdist workers each serve their own requests)."""
    from pytest_mockamocha.analytics.coverage import merge as merge_summaries

    return merge_summaries(parts)


@dataclass
class Outcome:
    """What the controller (or a plain run) decided at the end of the session."""

    model: dict[str, Any]
    base_url: str | None = None
    written: list[tuple[str, Path]] = field(default_factory=list)
    #: why the session fails on coverage, or None
    verdict: str | None = None
    coverage: float = 100.0


def finish(summary: Summary, settings: Settings, rootdir: Path, base_url: str | None) -> Outcome:
    """The report model, the report files written, and the fail-under verdict."""
    from pytest_mockamocha.analytics.coverage import operation_coverage, report, run_info
    from pytest_mockamocha.analytics.reports import DEFAULT_PATHS, render

    model = report(summary, run_info(run_settings(settings, rootdir)))
    outcome = Outcome(model, base_url, coverage=operation_coverage(model))
    for target in settings.reports:
        if target.format in ("term", "term-missing"):
            continue
        path = target.path or rootdir / DEFAULT_PATHS[target.format]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(target.format, model), encoding="utf-8")
        outcome.written.append((target.format, path))
    if settings.fail_under is not None and outcome.coverage < settings.fail_under:
        outcome.verdict = (
            f"FAIL: operation coverage {outcome.coverage:g}% is below "
            f"--mockamocha-fail-under={settings.fail_under:g}%"
        )
    return outcome


def run_settings(settings: Settings, rootdir: Path) -> dict[str, Any]:
    """The settings that shape the mock's answers, as the report records them (paths
    relative to the rootdir, so shards on other machines compare equal)."""
    from pytest_mockamocha._version import __version__

    def where(path: Path) -> str:
        try:
            return path.resolve().relative_to(rootdir.resolve()).as_posix()
        except ValueError:
            return path.name

    return {
        "mockamocha": __version__,
        "seed": settings.seed,
        "strict": settings.strict,
        "stateful": sorted(settings.stateful),
        "rules": [where(path) for path in settings.rules],
        "proxies": sorted(slug for slug, _ in settings.proxies),
    }


def outcome_lines(outcome: Outcome, settings: Settings) -> list[str]:
    """The ``mockamocha`` section: the term report, files written, the verdict."""
    from pytest_mockamocha.analytics.reports import term

    lines: list[str] = []
    formats = {t.format for t in settings.reports}
    if formats & {"term", "term-missing"}:
        missing = "term-missing" in formats
        lines.extend(term.lines(outcome.model, outcome.base_url, missing=missing))
    lines.extend(f"{fmt} report written to {path}" for fmt, path in outcome.written)
    if outcome.verdict:
        lines.append(outcome.verdict)
    elif settings.fail_under is not None:
        lines.append(
            f"operation coverage {outcome.coverage:g}% reaches "
            f"--mockamocha-fail-under={settings.fail_under:g}%"
        )
    return lines


def _problem_line(record: Any) -> str:
    from pytest_mockamocha.analytics.coverage import problem_line

    return problem_line(record)
