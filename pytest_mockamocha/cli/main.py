"""``mockamocha serve``: the same server the plugin runs, standalone."""

from __future__ import annotations

import importlib
import os
import secrets
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from pytest_mockamocha._defaults import DEFAULT_HOST, DEFAULT_MAX_BODY, SERVER_KINDS
from pytest_mockamocha._gc import freeze, paused_gc
from pytest_mockamocha.errors import ApiError, ConfigError, MockamochaError
from pytest_mockamocha.server.config import (
    DEFAULT_COMPILED,
    Document,
    ServerConfig,
    parse_document,
    parse_origin,
    parse_proxy,
)

if TYPE_CHECKING:
    from pytest_mockamocha.server.assembly import Assembly

DEFAULT_DB = ".mockamocha/db.json"
#: what each ``ServerConfig`` field is called on this command line (for ConfigError)
OPTION_NAMES = {
    "spec": "--spec",
    "rule_files": "--rules",
    "proxies": "--proxy",
    "record": "--record",
    "stateful": "--stateful",
    "db": "--db",
}


#: commands kept in modules of their own, imported when named: ``serve`` starts without
#: the SDK, the report readers or the generator's command (name -> module:attribute)
LAZY_COMMANDS = {
    "analytics": "client_cmds:analytics_command",
    "collections": "client_cmds:collections_group",
    "db": "db_cmd:db_group",
    "endpoints": "client_cmds:endpoints_group",
    "generate": "generate_cmd:generate_command",
    "import": "client_cmds:import_command",
    "imports": "client_cmds:imports_group",
    "lint": "lint_cmd:lint_command",
    "login": "client_cmds:login_command",
    "logout": "client_cmds:logout_command",
    "report": "report_cmd:report_command",
    "reset": "client_cmds:reset_command",
    "rules": "client_cmds:rules_group",
    "scenarios": "client_cmds:scenarios_command",
}


class LazyGroup(click.Group):
    """A group whose ``LAZY_COMMANDS`` load when named (help lists, and so loads, all)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(f"pytest_mockamocha.cli.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pytest-mockamocha")
def cli() -> None:
    """MockaMocha: contract-checked mock APIs from OpenAPI documents."""


def _documents(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> Any:
    """``--spec [SLUG=]PATH`` values as documents (the plugin's spelling too)."""
    try:
        return tuple(parse_document(value) for value in values)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


def _proxies(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> Any:
    """``--proxy SLUG=URL`` values as (slug, URL) pairs."""
    try:
        return tuple(parse_proxy(value) for value in values)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command()
@click.option(
    "--spec",
    "specs",
    multiple=True,
    callback=_documents,
    metavar="[SLUG=]PATH",
    help="An OpenAPI document to mock; repeatable.",
)
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to bind.")
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
    metavar="PATH|URL",
    help="Where users, keys, collections, endpoints and rules are kept: a TinyDB file, "
    "or sqlite:///PATH or postgresql://USER@HOST/DB (replicas may share PostgreSQL).",
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
    callback=_proxies,
    metavar="SLUG=URL",
    help="Forward requests no rule answers to the real API at URL; repeatable.",
)
@click.option(
    "--record",
    type=click.Path(dir_okay=False),
    help="With --proxy: write the proxied exchanges to this rule file on exit.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Where compiled documents are kept between starts "
    "[default: $MOCKAMOCHA_CACHE_DIR, else the user's cache folder].",
)
@click.option("--no-cache", is_flag=True, help="Compile every document afresh; keep nothing.")
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    envvar="MOCKAMOCHA_CORS_ORIGINS",
    help="An origin (https://app.example:3000) whose pages may call the API with the "
    "user's cookie; repeatable [env: MOCKAMOCHA_CORS_ORIGINS, space-separated].",
)
@click.option(
    "--stateful",
    "stateful",
    multiple=True,
    metavar="SLUG",
    help="Answer the collection's CRUD paths from a store; repeatable.",
)
@click.option(
    "--compiled",
    default=DEFAULT_COMPILED,
    show_default=True,
    type=click.IntRange(1),
    help="Stored collections compiled on first use; at most this many stay compiled "
    "(least recently used first out).",
)
def serve(
    specs: tuple[Document, ...],
    host: str,
    port: int,
    db: str,
    memory: bool,
    kind: str,
    seed: int,
    max_body: int,
    no_record: bool,
    rule_files: tuple[str, ...] = (),
    proxies: tuple[tuple[str, str], ...] = (),
    record: str | None = None,
    stateful: tuple[str, ...] = (),
    cache_dir: str | None = None,
    no_cache: bool = False,
    cors_origins: tuple[str, ...] = (),
    compiled: int = DEFAULT_COMPILED,
) -> None:
    """Serve mocks of the given specs (and the stored collections) until interrupted."""
    from pytest_mockamocha.spec.cache import default_root

    config = ServerConfig(
        documents=specs,
        rule_files=tuple(Path(path) for path in rule_files),
        proxies=proxies,
        record=None if record is None else Path(record),
        stateful=stateful,
        host=host,
        port=port,
        kind=kind,
        max_body=max_body,
        seed=seed,
        journal=not no_record,
        db=None if memory else db,
        keep_documents=True,
        compiled=compiled,
        cache_dir=None if no_cache else Path(cache_dir) if cache_dir else default_root(),
        private=True,
        cors_origins=_origins(cors_origins),
        **_admin(),
    )
    with paused_gc():  # the server's imports and documents: nothing to collect, much to walk
        built = _assembled(config)
        # What start-up built lives as long as the process. Frozen before the collector
        # resumes, it is not walked by the first collection after the pause (~50 ms on a
        # large document) nor by any later one.
        freeze()
    for loaded in built.rule_files:
        for note in loaded.warnings:
            click.echo(f"warning: {note}", err=True)
        click.echo(f"{loaded.source}: {len(loaded.rules)} rule(s)", err=True)
    _serve_until_stopped(built)


def _assembled(config: ServerConfig) -> Assembly:
    """The server ``config`` describes, not started; a mistake worded with ``serve``'s
    option names."""
    from pytest_mockamocha.server.assembly import assemble

    try:
        return assemble(config)
    except ConfigError as exc:
        raise click.ClickException(exc.worded(OPTION_NAMES)) from None
    except MockamochaError as exc:
        raise click.ClickException(str(exc)) from None


def _serve_until_stopped(built: Assembly) -> None:
    """Start, print each collection's URL, serve until SIGINT or SIGTERM, then clean up."""
    server, config = built.server, built.config
    try:
        server.start()
    except OSError as exc:
        built.close()
        raise click.ClickException(
            f"cannot listen on {config.host}:{config.port}: {exc.strerror}"
        ) from None
    for coll in built.engine:
        click.echo(
            f"{coll.slug}: {server.url_for(coll.slug)}  "
            f"({len(coll.spec.operations)} operations from {coll.spec.source})"
        )
    waiting = _stored_not_compiled(built)
    if waiting:
        click.echo(
            f"{waiting} more stored collection(s) at {server.url}/mocks/{{slug}}, each "
            "compiled on its first request"
        )
    click.echo(
        f"mockamocha serving on {server.url} (health: {server.url}/api/health); Ctrl+C to stop",
        err=True,
    )
    _wait_for_signal()
    built.close()
    record, recorder = config.record, built.recorder
    if recorder is not None and record is not None:
        if recorder.count:
            recorder.write(record)
            click.echo(f"recorded {recorder.count} exchange(s) to {record}", err=True)
        else:
            click.echo(f"nothing was proxied; {record} is left as it was", err=True)


def _stored_not_compiled(built: Assembly) -> int:
    """How many stored collections wait for their first request to be compiled."""
    from pytest_mockamocha.store import Query

    mounted = {coll.slug for coll in built.engine}
    return built.api.state.store.collections.total(Query()) - sum(
        built.api.state.store.collections.count_by("slug", mounted).values()
    )


def _admin() -> dict[str, Any]:
    """The first administrator's email and password, from the environment or generated;
    a generated password is printed once, when the admin is made."""
    email = os.environ.get("MOCKAMOCHA_ADMIN_EMAIL") or "admin@localhost"
    given = os.environ.get("MOCKAMOCHA_ADMIN_PASSWORD")
    password = given or secrets.token_urlsafe(18)

    def created(admin: str) -> None:
        if not given:
            click.echo(f"created admin {admin}; password (shown once): {password}", err=True)

    return {"admin": (email, password), "on_admin_created": created}


def _origins(values: tuple[str, ...]) -> tuple[str, ...]:
    """The ``--cors-origin`` values (each may list several, split by commas or spaces)."""
    try:
        return tuple(
            parse_origin(origin) for value in values for origin in value.replace(",", " ").split()
        )
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--cors-origin") from None


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
    metavar="PATH|URL",
    help="The database to add the user to: a TinyDB file, sqlite:///PATH or postgresql://...",
)
def create_user_command(email: str, name: str, is_admin: bool, password: str, db: str) -> None:
    """Create a user with a workspace of its own."""
    from pytest_mockamocha.api.accounts import create_user
    from pytest_mockamocha.server.assembly import open_database

    try:
        store = open_database(db)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
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
