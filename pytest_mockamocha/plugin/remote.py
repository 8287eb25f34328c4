"""Collections, endpoints and stored rules from a MockaMocha server, as documents for this
session's server.

A team keeps its mocks in one place (``mockamocha serve``) and every suite serves them
from its own session server: ``--mockamocha-remote URL`` with a token. This module only
fetches and translates (through the SDK); the session's assembly mounts the documents
like any other. An unreachable server or a refused token stops the session at start
with one line.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from pytest_mockamocha.errors import MockamochaError
from pytest_mockamocha.sdk import Client, SdkError
from pytest_mockamocha.server.config import Document
from pytest_mockamocha.spec.loader import build_spec


def remote_documents(url: str, token: str | None, names: Sequence[str]) -> list[Document]:
    """The server's collections (those named, or all) with their stored rules."""
    if not token:
        raise pytest.UsageError(
            f"mockamocha: --mockamocha-remote {url} needs a token "
            "(--mockamocha-token or MOCKAMOCHA_TOKEN)"
        )
    try:
        with Client(url, token=token, timeout=10.0) as client:
            return _documents(client, url, names)
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


def _documents(client: Client, url: str, names: Sequence[str]) -> list[Document]:
    wanted = set(names)
    chosen = [
        c for c in client.collections.iter() if not wanted or c.name in wanted or c.slug in wanted
    ]
    missing = wanted - {c.name for c in chosen} - {c.slug for c in chosen}
    if missing:
        raise pytest.UsageError(f"mockamocha: {url} has no collection {', '.join(sorted(missing))}")
    documents = []
    for coll in chosen:
        document = client.collections.spec(coll.id)
        spec = build_spec(
            document, source=f"{url} collection {coll.slug}", folder=None, slug=coll.slug
        )
        rules = tuple(
            (endpoint.operation, {"id": rule.id, **rule.form()})
            for endpoint in client.endpoints.iter(collection_id=coll.id)
            for rule in client.rules.iter(endpoint.id)
        )
        documents.append(Document(spec=spec, slug=coll.slug, rules=rules))
    return documents
