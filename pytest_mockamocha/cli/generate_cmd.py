"""``mockamocha generate SPEC OPERATION``: realistic, valid records of a response, offline.

The records are those of ``mockamocha.generate`` in a test with the same seed: for a list
operation each record is one item of the array. JSON (an array) goes to stdout unless
``--output`` names a file; ``jsonl`` writes one record a line; ``csv`` flattens nested
objects into dotted columns (arrays are written as JSON text). A progress bar is drawn on
stderr past ``PROGRESS_FROM`` records. Every failure is one line on stderr and exit code 1.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import click

from pytest_mockamocha.errors import MockamochaError
from pytest_mockamocha.generate.realism import DEFAULT_LOCALE, check_locale

FORMATS = ("json", "jsonl", "csv")
#: Counts above this get a progress bar on stderr.
PROGRESS_FROM = 1000


@click.command("generate")
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("operation")
@click.option("--count", "-n", default=1, show_default=True, type=click.IntRange(0, 10_000_000))
@click.option("--seed", default=0, show_default=True, type=int, help="Same seed, same records.")
@click.option("--format", "fmt", default="json", show_default=True, type=click.Choice(FORMATS))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write here instead of stdout.",
)
@click.option("--locale", default=DEFAULT_LOCALE, show_default=True, help="Faker locale.")
@click.option("--status", default=None, help="The response status to generate (default: 2xx).")
def generate_command(
    spec: Path,
    operation: str,
    count: int,
    seed: int,
    fmt: str,
    output: Path | None,
    locale: str,
    status: str | None,
) -> None:
    """Generate COUNT records of OPERATION's response ("GET /users" or an operationId)."""
    try:
        from pytest_mockamocha.generate import SchemaGenerator
        from pytest_mockamocha.generate.records import iter_records, response_schema
        from pytest_mockamocha.spec.index import OperationIndex
        from pytest_mockamocha.spec.loader import load_spec

        check_locale(locale)
        api = load_spec(spec)
        op = OperationIndex(api.operations, where=str(spec.name)).get(operation)
        schema, _ = response_schema(api.document, op, status)
        generator = SchemaGenerator(api.document, api.version, locale=locale)
        made = iter_records(generator, schema, count, seed)
        _write(_progress(made, count), fmt, output)
    except (MockamochaError, ValueError, OSError) as exc:
        raise click.ClickException(_one_line(exc)) from None


def _progress(items: Iterator[Any], count: int) -> Iterator[Any]:
    """``items``, with a progress bar on stderr when there are many."""
    if count <= PROGRESS_FROM:
        yield from items
        return
    with click.progressbar(length=count, label="generating", file=sys.stderr) as bar:
        for item in items:
            yield item
            bar.update(1)


def _write(records: Iterable[Any], fmt: str, output: Path | None) -> None:
    """Write the records in ``fmt`` to ``output`` (atomically) or stdout."""
    if output is None:
        _emit(records, fmt, sys.stdout)
        return
    partial = output.with_name(output.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="") as stream:
        _emit(records, fmt, stream)
    partial.replace(output)


def _emit(records: Iterable[Any], fmt: str, stream: IO[str]) -> None:
    if fmt == "jsonl":
        for record in records:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        _csv(records, stream)
    else:
        stream.write("[")
        for index, record in enumerate(records):
            stream.write(("," if index else "") + "\n  " + json.dumps(record, ensure_ascii=False))
        stream.write("\n]\n")


def _csv(records: Iterable[Any], stream: IO[str]) -> None:
    """Dotted columns (the union over all records, in first-seen order), one row each."""
    rows = [flatten(r) for r in records]
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    writer = csv.DictWriter(stream, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``; lists and scalars become cells."""
    if not isinstance(value, Mapping):
        return {prefix or "value": _cell(value)}
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(item, Mapping) and item:
            out.update(flatten(item, name))
        else:
            out[name] = _cell(item)
    return out


def _cell(value: Any) -> Any:
    """A CSV cell: JSON text for lists and objects, ``true``/``false``, empty for null."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _one_line(exc: BaseException) -> str:
    """The error as one line."""
    buffer = io.StringIO(str(exc))
    return " ".join(line.strip() for line in buffer if line.strip()) or type(exc).__name__
