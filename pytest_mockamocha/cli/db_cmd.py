"""``mockamocha db``: move a database between backends, bring a SQL schema up to date.

    mockamocha db migrate --from .mockamocha/db.json --to postgresql://mm@db/mockamocha
    mockamocha db upgrade --db sqlite:///.mockamocha/db.sqlite

The store and SQLAlchemy are imported when a command runs, never when the CLI starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from pytest_mockamocha.store import Store

_WHERE = "a TinyDB file path, tinydb:///PATH, sqlite:///PATH or postgresql://USER@HOST/DB"


@click.group("db")
def db_group() -> None:
    """Copy a MockaMocha database to another backend, or upgrade its schema."""


def _open(value: str, *, must_exist: bool) -> Store:
    """The store ``value`` names; a click error (password hidden) when it cannot be opened."""
    from pytest_mockamocha.store import open_store_url, parse_location

    try:
        location = parse_location(value)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if must_exist and location.file is not None and not location.file.is_file():
        raise click.ClickException(f"no database at {location.shown}")
    try:
        return open_store_url(value)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot open {location.shown}: {exc}") from None


@db_group.command("migrate")
@click.option("--from", "source", required=True, metavar="PATH|URL", help=f"Copy from: {_WHERE}.")
@click.option("--to", "target", required=True, metavar="PATH|URL", help="Copy to (must be empty).")
def migrate_command(source: str, target: str) -> None:
    """Copy every record (in insertion order, ids kept) and the token-signing secret from
    one database to another, empty one; the source is left as it was."""
    from pytest_mockamocha.store import TABLES
    from pytest_mockamocha.store.secret import keep_secret, kept_secret

    src = _open(source, must_exist=True)
    try:
        dst = _open(target, must_exist=False)
        try:
            held = {name: getattr(dst, name).count() for name in TABLES}
            if any(held.values()):
                found = ", ".join(f"{n} {name}" for name, n in held.items() if n)
                raise click.ClickException(f"the target is not empty ({found}); nothing copied")
            copied = {}
            with dst.transaction():
                for name in TABLES:
                    records = getattr(src, name).find()
                    for record in records:
                        getattr(dst, name).insert(record)
                    copied[name] = len(records)
            secret = kept_secret(src)
            if secret is not None:
                keep_secret(dst, secret)
        finally:
            dst.close()
    finally:
        src.close()
    summary = ", ".join(f"{n} {name}" for name, n in copied.items())
    click.echo(f"copied {summary}{'' if secret is None else ' and the secret'}")


@db_group.command("upgrade")
@click.option("--db", "db", required=True, metavar="PATH|URL", help=f"The database: {_WHERE}.")
def upgrade_command(db: str) -> None:
    """Apply the schema migrations a SQL database has not had yet (``serve`` does this at
    start too; run it first to upgrade before starting replicas)."""
    store = _open(db, must_exist=True)
    try:
        migrated = getattr(store, "migrated", None)
    finally:
        store.close()
    if migrated is None:
        click.echo("a TinyDB file has no schema to upgrade")
    elif migrated[0] == migrated[1]:
        click.echo(f"schema version {migrated[1]}: up to date")
    else:
        click.echo(f"schema version {migrated[0]} -> {migrated[1]}")
