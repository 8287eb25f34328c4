"""``mockamocha serve``: the same server the plugin runs, standalone."""

from __future__ import annotations

import os
import secrets
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from pytest_mockamocha._defaults import DEFAULT_MAX_BODY, SERVER_KINDS
from pytest_mockamocha.analytics.requestlog import RequestLog, read_log
from pytest_mockamocha.api import ManagementApi, build_api
from pytest_mockamocha.api.accounts import create_user
from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.cli.client_cmds import COMMANDS
from pytest_mockamocha.cli.generate_cmd import generate_command
from pytest_mockamocha.cli.lint_cmd import lint_command
from pytest_mockamocha.cli.report_cmd import report_command
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.errors import MockamochaError
from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.spec.loader import load_spec
from pytest_mockamocha.spec.slug import slugify
from pytest_mockamocha.store import Record, Store, memory_store, open_store
from pytest_mockamocha.store.secret import load_secret

if TYPE_CHECKING:
    from pytest_mockamocha.server.proxy import Recorder

DEFAULT_DB = ".mockamocha/db.json"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pytest-mockamocha")
def cli() -> None:
    """MockaMocha: contract-checked mock APIs from OpenAPI documents."""


def _spec_arg(value: str) -> tuple[str | None, Path]:
    slug, sep, path = value.partition("=")
    if not sep or "/" in slug or "\\" in slug:
        return None, Path(value)
    return (slugify(slug) if slug.strip() else None), Path(path)


cli.add_command(generate_command)
cli.add_command(lint_command)
cli.add_command(report_command)
for _command in COMMANDS:
    cli.add_command(_command)


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
    "--db",
    "db",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="TinyDB file keeping users, keys, collections, endpoints and rules.",
)
@click.option("--memory", is_flag=True, help="Keep nothing on disk (no --db file).")
@click.option(
    "--server",
    "kind",
    default="waitress",
    show_default=True,
    type=click.Choice(SERVER_KINDS),
    help="WSGI server that runs the app.",
)
@click.option(
    "--no-record",
    is_flag=True,
    help="Keep no request records (no counts, analytics or request log); for raw speed.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for generated data.")
@click.option(
    "--max-body",
    default=DEFAULT_MAX_BODY,
    show_default=True,
    type=click.IntRange(1),
    help="Largest request body read, in bytes.",
)
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="A YAML rule file loaded at start; repeatable.",
)
@click.option(
    "--proxy",
    "proxies",
    multiple=True,
    metavar="SLUG=URL",
    help="Forward requests no rule answers to the real API at URL; repeatable.",
)
@click.option(
    "--record",
    type=click.Path(dir_okay=False),
    help="With --proxy: write the proxied exchanges to this rule file on exit.",
)
@click.option(
    "--stateful",
    "stateful",
    multiple=True,
    metavar="SLUG",
    help="Answer the collection's CRUD paths from a store; repeatable.",
)
def serve(
    specs: tuple[str, ...],
    host: str,
    port: int,
    db: str,
    memory: bool,
    kind: str,
    seed: int,
    max_body: int,
    no_record: bool,
    rule_files: tuple[str, ...] = (),
    proxies: tuple[str, ...] = (),
    record: str | None = None,
    stateful: tuple[str, ...] = (),
) -> None:
    """Serve mocks of the given specs (and the stored collections) until interrupted."""
    engine = Engine(seed=seed, record=not no_record)
    api = _management(engine, None if memory else db)
    server = MockServer(engine, host=host, port=port, kind=kind, max_body=max_body, management=api)
    admin = _bootstrap_admin(api)
    catalog = api.state.catalog
    try:
        catalog.restore()
        for value in specs:
            slug, path = _spec_arg(value)
            spec = load_spec(path, slug=slug, cache_dir=_cache_dir())
            catalog.upsert_file_spec(spec, slug, admin["workspace_id"])
        recorder = _behaviours(engine, api, rule_files, proxies, record, stateful)
    except (MockamochaError, ApiError) as exc:
        raise click.ClickException(str(exc)) from None
    log = None if memory else _request_log(engine, db)
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
    for coll in engine:
        if coll.upstream is not None:
            coll.upstream.close()
    if recorder is not None and record is not None:
        if recorder.count:
            recorder.write(Path(record))
            click.echo(f"recorded {recorder.count} exchange(s) to {record}", err=True)
        else:
            click.echo(f"nothing was proxied; {record} is left as it was", err=True)
    if log is not None:
        log.close()


def _behaviours(
    engine: Engine,
    api: ManagementApi,
    rule_files: tuple[str, ...],
    proxies: tuple[str, ...],
    record: str | None,
    stateful: tuple[str, ...],
) -> Recorder | None:
    """Rule files, stateful collections and proxies from the command line."""
    from pytest_mockamocha.engine.rules.files import load_rule_file

    for path in rule_files:
        loaded = load_rule_file(path, engine, warn=False)
        for note in loaded.warnings:
            click.echo(f"warning: {note}", err=True)
        click.echo(f"{path}: {len(loaded.rules)} rule(s)", err=True)
    store, catalog = api.state.store, api.state.catalog
    for slug in stateful:
        engine.collection(slug)  # CollectionNotFoundError names the loaded ones
        for coll in store.collections.find(slug=slug):
            catalog.apply_modes(store.collections.update(coll["id"], {"stateful": True}) or coll)
    if record is not None and not proxies:
        raise click.UsageError("--record needs --proxy")
    recorder = None
    if proxies:
        from pytest_mockamocha.server.proxy import Proxy, Recorder

        recorder = Recorder() if record is not None else None
        for value in proxies:
            slug, sep, url = value.partition("=")
            if not sep or not url.startswith(("http://", "https://")):
                raise click.UsageError(f"--proxy {value!r}: give SLUG=URL with an http(s) URL")
            live = engine.collection(slugify(slug))
            engine.set_upstream(live.slug, Proxy(live, url, recorder=recorder))
    return recorder


def _request_log(engine: Engine, db: str) -> RequestLog:
    """Counts from earlier runs back into the journal, and this run's requests to disk."""
    path = Path(f"{db}.requests.jsonl")
    engine.journal.restore(read_log(path))
    return RequestLog(path, engine.journal).start()


def _open_store(db: str | None) -> Store:
    if db is None:
        return memory_store()
    try:
        return open_store(db)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot open the database {db}: {exc}") from None


def _management(engine: Engine, db: str | None) -> ManagementApi:
    """The management API over the store at ``db`` (in memory when None)."""
    store = _open_store(db)
    return build_api(store, engine, load_secret(db), cache_dir=_cache_dir())


def _bootstrap_admin(api: ManagementApi) -> Record:
    """The first administrator, created on first start (a generated password printed once)."""
    email = os.environ.get("MOCKAMOCHA_ADMIN_EMAIL") or "admin@localhost"
    given = os.environ.get("MOCKAMOCHA_ADMIN_PASSWORD")
    password = given or secrets.token_urlsafe(18)
    try:
        made = api.ensure_admin(email, password)
    except ApiError as exc:
        raise click.ClickException(f"cannot create the admin: {'; '.join(exc.details)}") from None
    if made is not None and not given:
        click.echo(f"created admin {email}; password (shown once): {password}", err=True)
    admin_id = api.admin_id()
    admin = api.state.store.users.get(admin_id) if admin_id else None
    if admin is None:
        raise click.ClickException("the database has users but no administrator")
    return admin


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


@cli.group()
def users() -> None:
    """Manage the users of a MockaMocha database."""


@users.command("create")
@click.option("--email", required=True, help="The user's email (unique, any case).")
@click.option("--name", required=True, help="The user's display name.")
@click.option("--admin", "is_admin", is_flag=True, help="Make the user an administrator.")
@click.option(
    "--password",
    envvar="MOCKAMOCHA_PASSWORD",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The password (else $MOCKAMOCHA_PASSWORD, else asked for).",
)
@click.option(
    "--db",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The TinyDB file to add the user to.",
)
def create_user_command(email: str, name: str, is_admin: bool, password: str, db: str) -> None:
    """Create a user with a workspace of its own."""
    store = _open_store(db)
    try:
        user = create_user(store, email=email, name=name, password=password, is_admin=is_admin)
    except ApiError as exc:
        raise click.ClickException(f"{exc.message} {'; '.join(exc.details)}".strip()) from None
    finally:
        store.close()
    role = "administrator" if is_admin else "user"
    click.echo(f"created {role} {user['email']} ({user['id']})")


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli(standalone_mode=True))
