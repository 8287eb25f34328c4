"""``mockamocha serve``: the same server the plugin runs, standalone."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import click

from pytest_mockamocha._defaults import DEFAULT_MAX_BODY, SERVER_KINDS
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.errors import MockamochaError
from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.spec.loader import load_spec
from pytest_mockamocha.spec.slug import slugify


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pytest-mockamocha")
def cli() -> None:
    """MockaMocha: contract-checked mock APIs from OpenAPI documents."""


def _spec_arg(value: str) -> tuple[str | None, Path]:
    slug, sep, path = value.partition("=")
    if not sep or "/" in slug or "\\" in slug:
        return None, Path(value)
    return (slugify(slug) if slug.strip() else None), Path(path)


@cli.command()
@click.option(
    "--spec",
    "specs",
    multiple=True,
    metavar="[SLUG=]PATH",
    help="An OpenAPI document to mock; repeatable.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to bind (0: any free port).",
)
@click.option(
    "--memory",
    is_flag=True,
    help="Keep nothing on disk (the only storage until the management API lands).",
)
@click.option(
    "--server",
    "kind",
    default="waitress",
    show_default=True,
    type=click.Choice(SERVER_KINDS),
    help="WSGI server that runs the app.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for generated data.")
@click.option(
    "--max-body",
    default=DEFAULT_MAX_BODY,
    show_default=True,
    type=click.IntRange(1),
    help="Largest request body read, in bytes.",
)
def serve(
    specs: tuple[str, ...], host: str, port: int, memory: bool, kind: str, seed: int, max_body: int
) -> None:
    """Serve mocks of the given specs until interrupted."""
    engine = Engine(seed=seed)
    server = MockServer(engine, host=host, port=port, kind=kind, max_body=max_body)
    try:
        for value in specs:
            slug, path = _spec_arg(value)
            server.add_spec(load_spec(path, slug=slug, cache_dir=_cache_dir()), slug)
    except MockamochaError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        server.start()
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    for coll in engine:
        click.echo(
            f"{coll.slug}: {server.url_for(coll.slug)}  "
            f"({len(coll.spec.operations)} operations from {coll.spec.source})"
        )
    click.echo(
        f"mockamocha serving on {server.url} (health: {server.url}/api/health); Ctrl+C to stop",
        err=True,
    )
    _wait_for_signal()
    server.stop()


def _cache_dir() -> Path:
    """Where verdicts of the (slow) structural spec check are kept, by content hash.

    ``MOCKAMOCHA_CACHE_DIR``, else the user's cache folder (``$XDG_CACHE_HOME``)."""
    explicit = os.environ.get("MOCKAMOCHA_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mockamocha" / "spec-checks"


def _wait_for_signal() -> None:
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while not stop.wait(0.5):
        pass


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli(standalone_mode=True))
