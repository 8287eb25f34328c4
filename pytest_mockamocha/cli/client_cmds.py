"""The client verbs of ``mockamocha``: ``login``, ``collections``, ``import``, ``endpoints``,
``rules``, ``scenarios``, ``reset`` and ``analytics``, spoken to a MockaMocha server through
the Python SDK.

Each takes ``--url`` and ``--token`` (else ``$MOCKAMOCHA_URL`` / ``$MOCKAMOCHA_TOKEN``, else
what ``mockamocha login`` stored). People get aligned tables, scripts ``--json``. Exit
codes: 0 done, 1 an API or connection error, 2 bad usage, 3 not logged in or not
authorized. Every failure is one line on stderr.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # the SDK (and httpx) load when a client verb runs, not for `serve`
    from pytest_mockamocha.sdk import Client

DEFAULT_URL = "http://127.0.0.1:8080"
CONFIG_ENV = "MOCKAMOCHA_CONFIG_DIR"
CREDENTIALS = "credentials.json"
#: imports of files at least this large (bytes) draw a progress bar on stderr
PROGRESS_FROM = 1024 * 1024
EXIT_AUTH = 3
F = TypeVar("F", bound=Callable[..., Any])


class AuthError(click.ClickException):
    """Not logged in, or the server refused the credentials: exit code 3."""

    exit_code = EXIT_AUTH


# credentials
def config_dir() -> Path:
    """``$MOCKAMOCHA_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/mockamocha`` (``~/.config/...``)."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mockamocha"


def load_credentials() -> dict[str, str]:
    """``{"url", "token"}`` stored by ``login``; empty when there are none (or unreadable)."""
    try:
        data = json.loads((config_dir() / CREDENTIALS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k in ("url", "token") and isinstance(v, str)}


def save_credentials(url: str, token: str) -> Path:
    """Write the credentials readable by the user only (0600), replacing the file atomically."""
    folder = config_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / CREDENTIALS
    handle, temp = tempfile.mkstemp(prefix=".credentials-", dir=folder)  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"url": url, "token": token}, out)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    target.chmod(0o600)
    return target


@dataclasses.dataclass(frozen=True)
class Target:
    """The server to talk to and the token to show it."""

    url: str
    token: str | None

    @classmethod
    def resolve(cls, url: str | None, token: str | None) -> Target:
        """Options and env first, then the stored login (its token only for its own URL)."""
        stored = load_credentials()
        chosen = (url or stored.get("url") or DEFAULT_URL).rstrip("/")
        if token is None and stored.get("url", "").rstrip("/") == chosen:
            token = stored.get("token")
        return cls(chosen, token)


# common options and error handling
def connection(func: F) -> F:
    """``--url`` and ``--token`` on a command."""
    func = click.option(
        "--token", envvar="MOCKAMOCHA_TOKEN", help="A JWT or API key (else the stored login)."
    )(func)
    return click.option(
        "--url", envvar="MOCKAMOCHA_URL", help=f"The server (else the stored login, {DEFAULT_URL})."
    )(func)


def json_flag(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(func)


@contextmanager
def session(url: str | None, token: str | None, *, login: bool = True) -> Iterator[Client]:
    """A client of the target server; SDK errors become one line and an exit code."""
    target = Target.resolve(url, token)
    if login and not target.token:
        raise AuthError(
            f"not logged in to {target.url}: run `mockamocha login --url {target.url}` "
            "or pass --token / set MOCKAMOCHA_TOKEN"
        )
    from pytest_mockamocha.sdk import Client, SdkError, Unauthorized

    try:
        with Client(target.url, token=target.token) as client:
            yield client
    except Unauthorized as exc:
        hint = " (run `mockamocha login` again)" if login else ""
        raise AuthError(f"{exc}{hint}") from None
    except SdkError as exc:
        raise click.ClickException(str(exc)) from None


# output
def plain(value: Any) -> Any:
    """A dataclass (or a tuple of them) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def emit_json(value: Any) -> None:
    click.echo(json.dumps(plain(value), indent=2, ensure_ascii=False))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], empty: str) -> None:
    """Rows in plain columns, aligned to the widest cell."""
    cells = [[_cell(v) for v in row] for row in rows]
    if not cells:
        click.echo(empty)
        return
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    for row in [list(headers), *cells]:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def pairs(values: Sequence[str], option: str) -> dict[str, str]:
    """``KEY=VALUE`` options as a mapping."""
    result = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {value!r}", param_hint=option)
        result[key] = text
    return result


def json_option(value: str | None, option: str) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint=option) from None


def delay_option(value: str | None, option: str) -> float | list[float] | None:
    """``SECONDS`` or ``MIN,MAX`` as the API spells a delay."""
    if value is None:
        return None
    try:
        parts = [float(part) for part in value.split(",")]
    except ValueError:
        parts = []
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return parts
    raise click.BadParameter(f"expected SECONDS or MIN,MAX, got {value!r}", param_hint=option)


def warn(warnings: Iterable[str]) -> None:
    """A rule's contract warnings, one line each on stderr."""
    for text in warnings:
        click.echo(f"warning: {text}", err=True)


# login
@click.command("login")
@click.option("--url", envvar="MOCKAMOCHA_URL", help=f"The server (default {DEFAULT_URL}).")
@click.option("--email", prompt=True, help="Your email (asked for when missing).")
@click.option(
    "--password",
    envvar="MOCKAMOCHA_PASSWORD",
    prompt=True,
    hide_input=True,
    help="Your password (else $MOCKAMOCHA_PASSWORD, else asked for).",
)
def login_command(url: str | None, email: str, password: str) -> None:
    """Log in and keep the token in the user's config folder (mode 0600)."""
    target = (url or load_credentials().get("url") or DEFAULT_URL).rstrip("/")
    with session(target, None, login=False) as client:
        token = client.login(email, password)
    path = save_credentials(target, token.access_token)
    click.echo(f"logged in to {target} as {token.user.email}; token kept in {path}")


@click.command("logout")
def logout_command() -> None:
    """Forget the stored login."""
    path = config_dir() / CREDENTIALS
    path.unlink(missing_ok=True)
    click.echo("logged out")


# collections
@click.group("collections")
def collections_group() -> None:
    """List, create, update and delete collections."""


@collections_group.command("list")
@connection
@json_flag
def collections_list(url: str | None, token: str | None, as_json: bool) -> None:
    """Every collection of the workspace."""
    with session(url, token) as client:
        found = list(client.collections.iter())
    if as_json:
        emit_json(found)
        return
    rows = [(c.id, c.name, c.slug, c.endpoints_count, c.mock_url) for c in found]
    table(("ID", "NAME", "SLUG", "ENDPOINTS", "MOCK URL"), rows, "no collections")


@collections_group.command("create")
@click.argument("name")
@click.option("--description", help="What the collection mocks.")
@click.option("--slug", help="Mount the mock at /mocks/SLUG (default: from the name).")
@connection
@json_flag
def collections_create(
    name: str,
    description: str | None,
    slug: str | None,
    url: str | None,
    token: str | None,
    as_json: bool,
) -> None:
    """Create a collection named NAME."""
    with session(url, token) as client:
        made = client.collections.create(name, description=description, slug=slug)
    if as_json:
        emit_json(made)
    else:
        click.echo(f"created {made.id} {made.name!r}; mock at {made.mock_url}")


@collections_group.command("update")
@click.argument("collection_id")
@click.option("--name", help="A new name.")
@click.option("--description", help="A new description.")
@click.option(
    "--stateful/--no-stateful",
    default=None,
    help="Answer CRUD paths from a seeded store (or stop).",
)
@click.option("--delay", metavar="SECONDS|MIN,MAX", help="Delay every answer.")
@click.option("--no-delay", is_flag=True, help="Remove the default delay.")
@connection
@json_flag
def collections_update(
    collection_id: str,
    name: str | None,
    description: str | None,
    stateful: bool | None,
    delay: str | None,
    no_delay: bool,
    url: str | None,
    token: str | None,
    as_json: bool,
) -> None:
    """Rename a collection, switch its stateful mode, set its default delay."""
    if delay is not None and no_delay:
        raise click.UsageError("--delay and --no-delay exclude each other")
    seconds = delay_option(delay, "--delay")
    from pytest_mockamocha.sdk import REMOVE

    with session(url, token) as client:
        changed = client.collections.update(
            collection_id,
            name=name,
            description=description,
            stateful=stateful,
            delay=REMOVE if no_delay else seconds,
        )
    if as_json:
        emit_json(changed)
        return
    state = "stateful" if changed.stateful else "not stateful"
    click.echo(f"updated {changed.id} {changed.name!r}; {state}, delay {_cell(changed.delay)}")


@collections_group.command("delete")
@click.argument("collection_id")
@connection
def collections_delete(collection_id: str, url: str | None, token: str | None) -> None:
    """Delete a collection, its endpoints and rules."""
    with session(url, token) as client:
        client.collections.delete(collection_id)
    click.echo(f"deleted {collection_id}")


# import
@click.command("import")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--collection", "collection_id", required=True, help="The collection's id.")
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Wait for an import the server finishes in the background (large documents).",
)
@connection
@json_flag
def import_command(
    spec: Path, collection_id: str, wait: bool, url: str | None, token: str | None, as_json: bool
) -> None:
    """Import the OpenAPI document SPEC (YAML or JSON) into a collection."""
    with session(url, token) as client:
        done = _upload(client, collection_id, spec, wait)
    if as_json:
        emit_json(done)
        return
    if done.status == "processing":
        click.echo(f"{done.import_id}: processing; see `mockamocha imports show {done.import_id}`")
        return
    click.echo(
        f"{done.import_id}: {done.endpoints_created} created, {done.endpoints_updated} updated, "
        f"{done.endpoints_removed} removed ({done.status})"
    )


def _upload(client: Client, collection_id: str, spec: Path, wait: bool) -> Any:
    size = spec.stat().st_size
    if size < PROGRESS_FROM:
        return client.collections.import_spec(collection_id, spec, wait=wait)
    label = f"uploading {spec.name} ({size / 1024 / 1024:.1f} MiB)"
    with click.progressbar(length=size, label=label, file=sys.stderr) as bar:
        done = 0

        def advance(sent: int, total: int) -> None:
            nonlocal done
            bar.update(sent - done)
            done = sent

        result = client.collections.import_spec(
            collection_id, spec, progress=advance, wait=wait
        )
    if result.status != "processing":
        click.echo("checking and mounting the document: done", err=True)
    return result


@click.group("imports")
def imports_group() -> None:
    """Look at imports (those finished in the background too)."""


@imports_group.command("show")
@click.argument("import_id")
@click.option("--wait", is_flag=True, help="Wait until a background import ends.")
@connection
@json_flag
def imports_show(
    import_id: str, wait: bool, url: str | None, token: str | None, as_json: bool
) -> None:
    """Show an import's status, stage and outcome (exit 1 when it failed)."""
    with session(url, token) as client:
        found = client.imports.get(import_id)
        while wait and found.status == "processing":
            time.sleep(0.2)
            found = client.imports.get(import_id)
    if as_json:
        emit_json(found)
    else:
        click.echo(f"{found.import_id}: {found.status} ({found.stage}) {found.message}")
        for error in found.errors or ():
            click.echo(f"  {error}")
    if found.status == "failed":
        raise SystemExit(1)


# endpoints
@click.group("endpoints")
def endpoints_group() -> None:
    """List endpoints."""


@endpoints_group.command("list")
@click.option("--collection", "collection_id", help="Only this collection's.")
@click.option("--method", help="Only this HTTP method.")
@click.option("--path", help="Only paths containing this.")
@click.option("-q", "query", help="Search names and paths.")
@click.option("--sort", help="path, method, name, created_at, requests_count, last_request_at.")
@connection
@json_flag
def endpoints_list(
    collection_id: str | None,
    method: str | None,
    path: str | None,
    query: str | None,
    sort: str | None,
    url: str | None,
    token: str | None,
    as_json: bool,
) -> None:
    """Endpoints with their traffic, filtered."""
    with session(url, token) as client:
        found = list(
            client.endpoints.iter(
                collection_id=collection_id, method=method, path=path, q=query, sort=sort
            )
        )
    if as_json:
        emit_json(found)
        return
    rows = [
        (e.id, e.method, e.path, e.name, e.response_rules_count, e.requests_count) for e in found
    ]
    table(("ID", "METHOD", "PATH", "NAME", "RULES", "REQUESTS"), rows, "no endpoints")


# rules
@click.group("rules")
def rules_group() -> None:
    """Add, list and delete the stored response rules of an endpoint."""


@rules_group.command("add")
@click.argument("endpoint_id")
@click.option("--status", type=click.IntRange(100, 599), help="Response status.")
@click.option("--respond-json", help="Response body as JSON text.")
@click.option("--respond-body", help="Response body as plain text.")
@click.option("--respond-header", multiple=True, metavar="NAME=VALUE", help="Repeatable.")
@click.option("--respond-example", metavar="NAME", help="Answer the spec's example NAME.")
@click.option("--response", "response_json", metavar="JSON", help="The whole response step.")
@click.option("--times", type=click.IntRange(1), help="Answer this many requests, then move on.")
@click.option("--delay", metavar="SECONDS|MIN,MAX", help="Wait before answering.")
@click.option("--fault", help="A fault instead of a clean answer (e.g. connection_reset).")
@click.option("--then", "then", multiple=True, metavar="JSON", help="A next step; repeatable.")
@click.option("--scenario", help="Fire only in a state of this scenario.")
@click.option("--state", help="The scenario's state it fires in (default started).")
@click.option("--next-state", help="The state it moves the scenario to.")
@click.option("--path-param", multiple=True, metavar="NAME=VALUE", help="Match a path value.")
@click.option("--query", multiple=True, metavar="NAME=VALUE", help="Match a query parameter.")
@click.option("--header", multiple=True, metavar="NAME=VALUE", help="Match a request header.")
@click.option("--json-contains", help="Match JSON bodies containing this JSON.")
@click.option("--priority", type=int, help="Higher first (default 0).")
@click.option("--name", help="A name for the rule.")
@click.option("--disabled", is_flag=True, help="Store it switched off.")
@connection
@json_flag
def rules_add(
    endpoint_id: str, url: str | None, token: str | None, as_json: bool, **opts: Any
) -> None:
    """Add a rule to ENDPOINT_ID: what it matches and what it answers."""
    rule_fields = _rule_fields(opts)
    with session(url, token) as client:
        made = client.rules.create(endpoint_id, **rule_fields)
    if as_json:
        emit_json(made)
        return
    steps = f", {1 + len(made.then)} steps" if made.then else ""
    scenario = f", scenario {made.scenario!r} in {made.state!r}" if made.scenario else ""
    click.echo(f"added {made.id} to {endpoint_id} (priority {made.priority}{steps}{scenario})")
    warn(made.warnings)


def _rule_fields(opts: Mapping[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = {}
    if opts["response_json"] is not None:
        response = json_option(opts["response_json"], "--response")
        if not isinstance(response, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--response")
    if opts["status"] is not None:
        response["status"] = opts["status"]
    if opts["respond_json"] is not None:
        response["json"] = json_option(opts["respond_json"], "--respond-json")
    if opts["respond_body"] is not None:
        response["body"] = opts["respond_body"]
    if opts["respond_example"] is not None:
        response["example"] = opts["respond_example"]
    if opts["respond_header"]:
        response["headers"] = pairs(opts["respond_header"], "--respond-header")
    for key in ("times", "fault"):
        if opts[key] is not None:
            response[key] = opts[key]
    if opts["delay"] is not None:
        response["delay"] = delay_option(opts["delay"], "--delay")
    then: list[Any] = []
    for text in opts["then"]:
        step = json_option(text, "--then")
        then += step if isinstance(step, list) else [step]
    match: dict[str, Any] = {}
    for option, key in (("path_param", "path"), ("query", "query"), ("header", "headers")):
        if opts[option]:
            match[key] = pairs(opts[option], "--" + option.replace("_", "-"))
    if opts["json_contains"] is not None:
        match["json_contains"] = json_option(opts["json_contains"], "--json-contains")
    return {
        "response": response,
        "match": match or None,
        "priority": opts["priority"],
        "name": opts["name"],
        "enabled": False if opts["disabled"] else None,
        "then": then or None,
        "scenario": opts["scenario"],
        "state": opts["state"],
        "next_state": opts["next_state"],
    }


@rules_group.command("list")
@click.argument("endpoint_id")
@connection
@json_flag
def rules_list(endpoint_id: str, url: str | None, token: str | None, as_json: bool) -> None:
    """The rules of ENDPOINT_ID, in the order they are tried."""
    with session(url, token) as client:
        found = list(client.rules.iter(endpoint_id))
    if as_json:
        emit_json(found)
        return
    rows = [
        (
            r.id,
            r.name,
            r.priority,
            "yes" if r.enabled else "no",
            r.hits,
            1 + len(r.then or ()),
            _scenario_cell(r.scenario, r.state, r.next_state),
            r.match,
            r.response,
        )
        for r in found
    ]
    headers = ("ID", "NAME", "PRIORITY", "ENABLED", "HITS", "STEPS", "SCENARIO", "MATCH")
    table((*headers, "RESPONSE"), rows, "no rules")


def _scenario_cell(scenario: str | None, state: str | None, next_state: str | None) -> str | None:
    """``name:state`` (``->next`` when it moves the scenario), None without a scenario."""
    if scenario is None:
        return None
    return f"{scenario}:{state}" + (f"->{next_state}" if next_state else "")


@rules_group.command("delete")
@click.argument("endpoint_id")
@click.argument("rule_id")
@connection
def rules_delete(endpoint_id: str, rule_id: str, url: str | None, token: str | None) -> None:
    """Delete RULE_ID of ENDPOINT_ID."""
    with session(url, token) as client:
        client.rules.delete(endpoint_id, rule_id)
    click.echo(f"deleted {rule_id}")


# scenarios
def _scenario_rows(found: Sequence[Any], as_json: bool) -> None:
    if as_json:
        emit_json(found)
        return
    table(("SCENARIO", "STATE"), [(s.name, s.state) for s in found], "no scenarios")


@click.command("scenarios")
@click.argument("collection_id")
@click.option(
    "--set",
    "moves",
    multiple=True,
    metavar="NAME=STATE",
    help="Move a scenario to a state first; repeatable.",
)
@connection
@json_flag
def scenarios_command(
    collection_id: str, moves: Sequence[str], url: str | None, token: str | None, as_json: bool
) -> None:
    """The scenarios of COLLECTION_ID's rules and their states."""
    wanted = pairs(moves, "--set")
    with session(url, token) as client:
        for name, state in wanted.items():
            client.collections.set_scenario(collection_id, name, state)
        found = client.collections.scenarios(collection_id)
    _scenario_rows(found, as_json)


@click.command("reset")
@click.argument("collection_id")
@connection
@json_flag
def reset_command(collection_id: str, url: str | None, token: str | None, as_json: bool) -> None:
    """Scenarios back to started, rule sequences to their first step, the stateful data
    to its seed."""
    with session(url, token) as client:
        found = client.collections.reset(collection_id)
    if as_json:
        emit_json(found)
        return
    click.echo(f"reset {collection_id}")
    if found:
        _scenario_rows(found, False)


# analytics
@click.command("analytics")
@click.option(
    "--period",
    default="30d",
    show_default=True,
    type=click.Choice(["24h", "7d", "30d", "90d"]),
    help="The time period.",
)
@click.option("--collection", "collection_id", help="Only this collection's traffic.")
@connection
@json_flag
def analytics_command(
    period: str, collection_id: str | None, url: str | None, token: str | None, as_json: bool
) -> None:
    """Mock traffic: totals, requests per day and the busiest endpoints."""
    with session(url, token) as client:
        stats = client.analytics.requests(period, collection_id)
    if as_json:
        emit_json(stats)
        return
    click.echo(
        f"{stats.total_requests} requests to {stats.unique_endpoints} endpoints "
        f"(period {stats.time_period})"
    )
    click.echo()
    rows = [
        (t.method, t.path, t.requests_count, f"{t.avg_response_time:.1f}", t.endpoint_id)
        for t in stats.top_endpoints
    ]
    table(("METHOD", "PATH", "REQUESTS", "AVG MS", "ENDPOINT"), rows, "no requests")
    if stats.requests_by_day:
        click.echo()
        table(("DATE", "REQUESTS"), [(d.date, d.count) for d in stats.requests_by_day], "")


COMMANDS: list[click.Command] = [
    login_command,
    logout_command,
    collections_group,
    import_command,
    imports_group,
    endpoints_group,
    rules_group,
    scenarios_command,
    reset_command,
    analytics_command,
]
