"""What a server serves, as one frozen value: documents, behaviours, bind settings, store.

The plugin and ``mockamocha serve`` translate their options into a ``ServerConfig`` (the
``[SLUG=]PATH`` and ``SLUG=URL`` spellings parsed here, once) and hand it to
``server/assembly.py``. This module imports nothing heavy, so the plugin's options can
use it without loading the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mockamocha._defaults import DEFAULT_HOST, DEFAULT_MAX_BODY
from pytest_mockamocha.errors import ConfigError
from pytest_mockamocha.spec.slug import slugify

if TYPE_CHECKING:
    from pytest_mockamocha.spec.model import ApiSpec

#: the administrator of a server nobody logs in to by hand (a pytest session)
_SESSION_ADMIN = "admin@mockamocha.invalid"


@dataclass(frozen=True, slots=True)
class Document:
    """An API document to serve: a file or a folder of them (``path``), or one already
    built (``spec``); under ``slug`` (a file's own slug when None), with the stored rules
    that come with it (``(operation, rule record)`` pairs, from a remote server)."""

    path: Path | None = None
    spec: ApiSpec | None = None
    slug: str | None = None
    rules: tuple[tuple[str, Mapping[str, Any]], ...] = ()


#: how many stored collections stay compiled on a server by default
DEFAULT_COMPILED = 64


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Everything a server serves and how: documents, behaviours, bind settings, store."""

    documents: tuple[Document, ...] = ()
    #: YAML rule files whose rules apply to every request (and test)
    rule_files: tuple[Path, ...] = ()
    #: (slug, upstream URL): requests no rule answers go to the real API
    proxies: tuple[tuple[str, str], ...] = ()
    #: with proxies: where the proxied exchanges are written as a rule file
    record: Path | None = None
    #: slugs answered from a resource store (reset for every test)
    stateful: tuple[str, ...] = ()
    host: str = DEFAULT_HOST
    port: int = 0
    kind: str = "waitress"
    max_body: int = DEFAULT_MAX_BODY
    seed: int = 0
    #: keep request records (journal, analytics); off, only failed requests are kept
    journal: bool = True
    #: where users, collections, endpoints and rules are kept (None: in memory): a TinyDB
    #: file path or a tinydb:/sqlite:/postgresql: URL; a file also keeps the request log
    #: beside it
    db: Path | str | None = None
    #: True: each document is imported into the store (the stored collection with its
    #: slug is updated, as ``serve`` does across restarts); False: documents are listed in
    #: the store beside it and served as they are (a pytest session's specs)
    keep_documents: bool = False
    #: (email, password) of the administrator created on an empty store; no password (a
    #: pytest session's): nobody signs in as it, its fixtures are given tokens
    admin: tuple[str, str | None] = field(default=(_SESSION_ADMIN, None), repr=False)
    #: told the administrator's email when it is created now (``serve`` prints a generated
    #: password once): called before anything else can fail, so it is never lost
    on_admin_created: Callable[[str], None] | None = field(default=None, repr=False)
    #: the compiled-document cache (``spec/cache.py``; None: nothing kept)
    cache_dir: Path | None = None
    #: a server with workspaces (a team server): a request learns only of its own
    #: workspace's collections, none when anonymous
    private: bool = False
    #: origins whose pages may call the management API with a cookie
    cors_origins: tuple[str, ...] = ()
    #: stored collections are compiled on first use and at most this many stay compiled
    #: (least recently used unmounted first): restart time and memory do not grow with
    #: the store; None compiles every stored collection at start
    compiled: int | None = DEFAULT_COMPILED


def parse_document(text: str, base: Path | None = None) -> Document:
    """``[SLUG=]PATH``: the one spelling of a document to serve (the plugin's options, its
    ini file and markers, and ``serve --spec``); a relative PATH is taken from ``base``.

    What comes before the first ``=`` is a SLUG unless it holds a path separator
    (``./a=b.yaml`` is a path). An empty SLUG (``=x.yaml``) is a ``ConfigError``: a slug
    was meant and none is given (a file named ``=x.yaml`` is ``./=x.yaml``)."""
    slug, sep, path = text.partition("=")
    if not sep or "/" in slug or "\\" in slug:
        slug, path = "", text
    elif not slug.strip():
        raise ConfigError(
            "{value}: the SLUG before '=' is empty; give SLUG=PATH, or PATH alone",
            value=repr(text),
        )
    target = Path(path.strip()).expanduser()
    if base is not None and not target.is_absolute():
        target = base / target
    return Document(path=target, slug=slugify(slug) if slug.strip() else None)


def parse_origin(text: str) -> str:
    """``scheme://host[:port]``: a browser origin (no path), as CORS compares them."""
    scheme, sep, rest = text.strip().partition("://")
    if not sep or scheme not in ("http", "https") or not rest or "/" in rest.rstrip("/"):
        raise ConfigError(
            "{value} is not an origin such as https://app.example:3000", value=repr(text)
        )
    return text.strip().rstrip("/")


def parse_proxy(text: str) -> tuple[str, str]:
    """``SLUG=URL`` with an http(s) URL: a collection and the real API behind it."""
    slug, sep, url = text.partition("=")
    if not sep or not slug.strip() or not url.strip().startswith(("http://", "https://")):
        raise ConfigError(
            "{value} is not SLUG=URL with an http:// or https:// URL", value=repr(text)
        )
    return slugify(slug.strip()), url.strip()
