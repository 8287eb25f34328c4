"""``mockamocha lint SPEC``: what in a document would make its mocks wrong, with pointers.

The findings are computed in ``lint_rules`` (imported when the command runs, so the
rest of the command line starts without the loader and the generator). Exit code 1
when anything is found, 0 for a clean document; ``--json`` for CI.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click


@click.command("lint")
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def lint_command(spec: Path, as_json: bool) -> None:
    """List what in SPEC would make its mocks wrong; exit 1 when anything is found."""
    from pytest_mockamocha.cli.lint_rules import Finding, lint
    from pytest_mockamocha.errors import SpecError
    from pytest_mockamocha.spec.loader import load_spec

    try:
        findings = lint(load_spec(spec))
    except SpecError as exc:
        findings = [Finding(exc.pointer, "invalid-document", exc.reason)]
    if as_json:
        click.echo(
            json.dumps({"spec": str(spec), "findings": [asdict(f) for f in findings]}, indent=2)
        )
    else:
        for f in findings:
            click.echo(f"{f.pointer or '/'}  [{f.kind}]  {f.message}")
        click.echo(f"{spec}: {len(findings)} finding(s)", err=True)
    sys.exit(1 if findings else 0)
