"""The one function that builds a server from its ``ServerConfig``, and the one that
mounts a document.

    config = ServerConfig(documents=(parse_document("shop=specs/petstore.yaml"),), port=0)
    built = assemble(config)        # engine, store, management API, server: not started
    built.server.start()

The pytest plugin, ``mockamocha serve``, a session's remote collections and
``MockServer.add_spec`` all come through here: each translates its own options into a
``ServerConfig`` or a ``Document`` and its own words for the errors below, and nothing
else. Mistakes are ``ConfigError`` (worded with each front end's option names),
``SpecError`` and ``RuleFileError``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_mockamocha._gc import paused_gc
from pytest_mockamocha.api import ManagementApi, build_api
from pytest_mockamocha.api.rulejson import engine_rule
from pytest_mockamocha.engine import Collection, Engine
from pytest_mockamocha.engine.rules.files import LoadedRules, load_rule_file
from pytest_mockamocha.errors import ApiError, CollectionNotFoundError, ConfigError
from pytest_mockamocha.server.config import Document, ServerConfig
from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.spec.loader import SPEC_SUFFIXES, load_spec
from pytest_mockamocha.spec.model import ApiSpec
from pytest_mockamocha.spec.slug import slugify
from pytest_mockamocha.store import Store, memory_store, open_store_url, parse_location
from pytest_mockamocha.store.secret import store_secret

if TYPE_CHECKING:
    from pytest_mockamocha.analytics.requestlog import RequestLog
    from pytest_mockamocha.server.proxy import Recorder
    from pytest_mockamocha.server.sharedlog import SharedRequestLog

_TOP_KEY = re.compile(rb"""^\s*\{?\s*["']?(openapi|swagger)["']?\s*:""", re.M)


@dataclass(eq=False)
class Assembly:
    """A server built from a ``ServerConfig``: its parts, and what building it found."""

    config: ServerConfig
    engine: Engine
    api: ManagementApi
    server: MockServer
    #: the slugs the config's documents were mounted under, in order
    mounted: list[str] = field(default_factory=list)
    #: each rule file's rules and contract warnings (``file:line: text``)
    rule_files: list[LoadedRules] = field(default_factory=list)
    #: records the proxied exchanges when ``config.record`` is set
    recorder: Recorder | None = None
    log: RequestLog | SharedRequestLog | None = None

    def mount(self, document: Document) -> list[Collection]:
        """Serve one more document (a marker's spec, say), as the config's were."""
        return mount(
            self.engine,
            self.api,
            document,
            keep_documents=self.config.keep_documents,
            cache_dir=self.config.cache_dir,
        )

    def close(self) -> None:
        """Stop the server, release proxied connections, let background imports end (a
        few seconds at most), flush the request log, release the database."""
        self.server.stop()
        for coll in self.engine:
            if coll.upstream is not None:
                coll.upstream.close()
        self.api.state.imports.wait(_IMPORTS_GRACE)
        if self.log is not None:
            self.log.close()
        self.api.state.store.close()


#: seconds a stopping server gives background imports to end (an unfinished one is marked
#: failed at the next start)
_IMPORTS_GRACE = 5.0


def assemble(config: ServerConfig) -> Assembly:
    """Build the server ``config`` describes, its documents mounted and behaviours on; not
    started (``built.server.start()``), so a mistake costs no port. The cyclic collector is
    paused meanwhile: what is built lives as long as the server (``pytest_mockamocha._gc``)."""
    with paused_gc():
        return _assemble(config)


def _assemble(config: ServerConfig) -> Assembly:
    engine = Engine(seed=config.seed, record=config.journal)
    store = open_database(config.db)
    api = build_api(store, engine, store_secret(store), cache_dir=config.cache_dir)
    server = MockServer(
        engine,
        host=config.host,
        port=config.port,
        kind=config.kind,
        max_body=config.max_body,
        management=api,
        private=config.private,
        cors_origins=config.cors_origins,
    )
    _admin(api, config)
    built = Assembly(config, engine, api, server)
    api.state.catalog.restore(compiled=config.compiled)
    for document in config.documents:
        built.mounted += [coll.slug for coll in built.mount(document)]
    built.rule_files = [load_rule_file(path, engine, warn=False) for path in config.rule_files]
    for rule in engine.rules.rules():  # rules from files live in memory only
        engine.pin(rule.collection)
    for slug in config.stateful:
        _stateful(api, _served(engine, slug, "stateful"))
    built.recorder = _proxies(engine, config)
    shared = api.state.store.shared
    if shared is not None:  # replicas: one request log in the shared store
        from pytest_mockamocha.server.sharedlog import SharedRequestLog

        built.log = SharedRequestLog(shared, engine.journal, secrets.token_hex(4)).start()
    elif config.db is not None:
        built.log = _request_log(engine, config.db)
    return built


def mount(
    engine: Engine,
    api: ManagementApi | None,
    document: Document,
    *,
    keep_documents: bool = False,
    cache_dir: Path | None = None,
) -> list[Collection]:
    """The one way a document is mounted: built now rather than on the first request,
    listed in (or, with ``keep_documents``, imported into) the management API's store,
    its stored rules made live. The collections mounted, in order."""
    mounted = []
    workspace = None if api is None else api.admin_workspace()
    for spec, slug in _specs(document, cache_dir):
        if api is not None and workspace is not None and keep_documents:
            record = api.state.catalog.upsert_file_spec(spec, slug, workspace)
            coll = engine.collection(record["slug"])
        else:
            coll = engine.mount(spec, slug)
            if api is not None and workspace is not None:
                api.state.catalog.adopt(spec, coll.slug, workspace)
        for operation, stored in document.rules:
            made = engine_rule(stored, coll, operation)
            if made is not None:
                engine.rules.put(made)
        if document.rules:
            engine.pin(coll.slug)  # its document's rules are not in the store
        mounted.append(coll)
    return mounted


def open_database(db: Path | str | None) -> Store:
    """The store ``db`` names: a TinyDB file path, or a ``tinydb:``, ``sqlite:`` or
    ``postgresql:`` URL (in memory when None); ``ConfigError`` when unusable."""
    if db is None:
        return memory_store()
    try:
        return open_store_url(db)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            "cannot open the database {db}: {reason}", db=_shown(db), reason=str(exc)
        ) from None


def _shown(db: Path | str) -> str:
    """``db`` for a message, any password hidden."""
    try:
        return parse_location(db).shown
    except ValueError:
        return str(db)


def _specs(document: Document, cache_dir: Path | None) -> list[tuple[ApiSpec, str | None]]:
    """The specs of a document: itself, its file, or the OpenAPI files of its folder."""
    if document.spec is not None:
        return [(document.spec, document.slug)]
    path = document.path
    if path is None:
        raise ConfigError("a document needs a path or a spec")
    if path.is_dir():  # a folder's files keep their own slugs; fragments of them are skipped
        files = [p for p in sorted(path.iterdir()) if p.suffix.lower() in SPEC_SUFFIXES]
        chosen = [p for p in files if p.is_file() and _looks_like_openapi(p)]
        return [(load_spec(p.resolve(), cache_dir=cache_dir), None) for p in chosen]
    if not path.exists():
        raise ConfigError("spec not found: {path}", path=str(path))
    return [(load_spec(path.resolve(), slug=document.slug, cache_dir=cache_dir), document.slug)]


def _looks_like_openapi(path: Path) -> bool:
    """Folder scans skip files that are fragments of a multi-file spec."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError:
        return True  # let the real load report what is wrong
    return _TOP_KEY.search(head) is not None


def _admin(api: ManagementApi, config: ServerConfig) -> None:
    """Create the administrator on an empty store (and say so). A store in memory gets the
    password hashed in the background: nothing can outlive the process half-made, and
    ~50 ms of scrypt leave the way to the first answer."""
    email, password = config.admin
    try:
        made = api.ensure_admin(email, password, hash_later=config.db is None)
    except ApiError as exc:
        raise ConfigError(
            "cannot create the admin: {details}", details="; ".join(exc.details)
        ) from None
    if made is not None and config.on_admin_created is not None:
        config.on_admin_created(email)
    if api.admin_workspace() is None:
        raise ConfigError("the database has users but no administrator")


def _served(engine: Engine, slug: str, option: str) -> Collection:
    """The mounted collection a behaviour names; ``ConfigError`` naming the option."""
    try:
        return engine.collection(slugify(slug))
    except CollectionNotFoundError as exc:
        raise ConfigError("{" + option + "}: {reason}", reason=str(exc)) from None


def _stateful(api: ManagementApi, coll: Collection) -> None:
    """Stateful mode through the store, so the API shows it and a restart keeps it."""
    store, catalog = api.state.store, api.state.catalog
    for record in store.collections.find(slug=coll.slug):
        catalog.apply_modes(store.collections.update(record["id"], {"stateful": True}) or record)


def _proxies(engine: Engine, config: ServerConfig) -> Recorder | None:
    if config.record is not None and not config.proxies:
        raise ConfigError("{record} needs {proxies}")
    if not config.proxies:
        return None
    from pytest_mockamocha.server.proxy import Proxy, Recorder

    recorder = Recorder() if config.record is not None else None
    for slug, url in config.proxies:
        coll = _served(engine, slug, "proxies")
        try:
            engine.set_upstream(coll.slug, Proxy(coll, url, recorder=recorder))
        except ValueError as exc:
            raise ConfigError("{proxies}: {reason}", reason=str(exc)) from None
    return recorder


def _request_log(engine: Engine, db: Path | str) -> RequestLog | None:
    """Counts from earlier runs back into the journal, and this run's requests to disk,
    beside the database file (``db.json.requests.jsonl``, ``db.sqlite.requests.jsonl``).

    A PostgreSQL database has no file on this machine, and replicas sharing it would each
    keep their own counts: no file log then (the request log shared through the database
    replaces this for PostgreSQL)."""
    from pytest_mockamocha.analytics.requestlog import RequestLog, read_log

    path = parse_location(db).beside(".requests.jsonl")
    if path is None:
        return None
    engine.journal.restore(read_log(path))
    return RequestLog(path, engine.journal).start()
