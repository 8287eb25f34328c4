"""Collections, endpoints and stored rules from a MockaMocha server, into this session.

A team keeps its mocks in one place (``mockamocha serve``) and every suite serves them
from its own session server: ``--mockamocha-remote URL`` with a token. An unreachable
server or a refused token stops the session at start with one line.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from pytest_mockamocha.api.rulejson import engine_rule
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.errors import MockamochaError
from pytest_mockamocha.sdk import Client, SdkError
from pytest_mockamocha.spec.loader import build_spec


def load_remote(engine: Engine, url: str, token: str | None, names: Sequence[str]) -> list[str]:
    """Mount the server's collections (those named, or all); the slugs mounted."""
    if not token:
        raise pytest.UsageError(
            f"mockamocha: --mockamocha-remote {url} needs a token "
            "(--mockamocha-token or MOCKAMOCHA_TOKEN)"
        )
    try:
        with Client(url, token=token, timeout=10.0) as client:
            return _mount_all(engine, client, url, names)
    except SdkError as exc:
        raise pytest.UsageError(f"mockamocha: cannot load collections from {url}: {exc}") from None
    except MockamochaError as exc:
        raise pytest.UsageError(f"mockamocha: a collection from {url} is unusable: {exc}") from None
    except pytest.UsageError:
        raise
    except Exception as exc:  # one line at start, whatever the transport raised
        raise pytest.UsageError(
            f"mockamocha: cannot load collections from {url}: {type(exc).__name__}: {exc}"
        ) from None


def _mount_all(engine: Engine, client: Client, url: str, names: Sequence[str]) -> list[str]:
    wanted = set(names)
    chosen = [
        c for c in client.collections.iter() if not wanted or c.name in wanted or c.slug in wanted
    ]
    missing = wanted - {c.name for c in chosen} - {c.slug for c in chosen}
    if missing:
        raise pytest.UsageError(f"mockamocha: {url} has no collection {', '.join(sorted(missing))}")
    mounted = []
    for coll in chosen:
        document = client.collections.spec(coll.id)
        spec = build_spec(
            document, source=f"{url} collection {coll.slug}", folder=None, slug=coll.slug
        )
        live = engine.add(spec, coll.slug)
        live.warm()
        for endpoint in client.endpoints.iter(collection_id=coll.id):
            for rule in client.rules.iter(endpoint.id):
                made = engine_rule({"id": rule.id, **rule.form()}, live, endpoint.operation)
                if made is not None:
                    engine.rules.put(made)
        mounted.append(live.slug)
    return mounted
