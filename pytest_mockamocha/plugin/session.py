"""The session's mock state, kept in ``config.stash``: specs, engine, and the server.

Specs load in ``pytest_configure`` so a broken one is a usage error before any test
runs; the server starts on first use, so suites that never ask for it pay nothing.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pytest_mockamocha.api import ManagementApi, build_api
from pytest_mockamocha.engine import Collection, Engine
from pytest_mockamocha.errors import MockamochaError, SpecError
from pytest_mockamocha.plugin.options import Settings
from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.spec.loader import SPEC_SUFFIXES, load_spec
from pytest_mockamocha.store import memory_store
from pytest_mockamocha.store.secret import load_secret

if TYPE_CHECKING:
    from pytest_mockamocha.server.proxy import Recorder


class MockamochaSession:
    """Everything mockamocha holds for one pytest session (or one xdist worker)."""

    def __init__(self, settings: Settings, cache_dir: Path | None = None):
        self.settings = settings
        self.cache_dir = cache_dir
        self.engine = Engine(seed=settings.seed)
        self.server = MockServer(
            self.engine,
            host=settings.host,
            port=settings.port,
            kind=settings.server,
            max_body=settings.max_body,
            management=_management(self.engine, cache_dir),
        )
        self.started = False
        self.strict_failures = 0
        #: slugs of the specs from the command line and ini (markers add more later)
        self.configured: list[str] = []
        #: summaries xdist workers shipped to this controller
        self.worker_summaries: list[dict[str, dict[str, object]]] = []
        #: what the proxies answered, written to --mockamocha-record at the end
        self.recorder: Recorder | None = None

    def load_configured(self) -> None:
        """Load the specs from the command line and ini; SpecError becomes a usage error."""
        for ref in self.settings.specs:
            for path, explicit in _expand(ref.path):
                coll = self._load(path, ref.slug if explicit else None, explicit)
                if coll is not None:
                    self.configured.append(coll.slug)

    def load_marker_spec(self, path: Path, slug: str | None = None) -> Collection:
        """Mount a spec a marker names (once per path), at any point in the session."""
        found = self.engine.find_source(str(path))
        if found is not None:
            return found
        coll = self._load(path, slug, explicit=True)
        assert coll is not None
        return coll

    def _load(self, path: Path, slug: str | None, explicit: bool) -> Collection | None:
        if not explicit and not _looks_like_openapi(path):
            return None
        try:
            spec = load_spec(path.resolve(), slug=slug, cache_dir=self.cache_dir)
        except SpecError as exc:
            raise pytest.UsageError(f"mockamocha: {exc}") from None
        coll = self.engine.add(spec, slug)
        coll.warm()
        if self.server.management is not None:
            self.server.management.adopt(spec, coll.slug)
        return coll

    def apply_behaviours(self, config: pytest.Config) -> None:
        """Rule files, proxies and stateful collections from the options; mistakes are
        usage errors, and in strict mode so is a rule file that breaks the contract."""
        from pytest_mockamocha.engine.rules.files import load_rule_file
        from pytest_mockamocha.errors import MockamochaWarning

        settings = self.settings
        for path in settings.rules:
            try:
                loaded = load_rule_file(path, self.engine, warn=False)
            except MockamochaError as exc:
                raise pytest.UsageError(f"mockamocha: {exc}") from None
            if loaded.warnings and settings.strict:
                listed = "\n".join(f"  {w}" for w in loaded.warnings)
                raise pytest.UsageError(
                    f"mockamocha (strict): rules that break the contract:\n{listed}"
                )
            for note in loaded.warnings:
                config.issue_config_time_warning(MockamochaWarning(note), stacklevel=2)
        for slug in settings.stateful:
            from pytest_mockamocha.engine.stateful.store import StatefulStore

            coll = self._collection(slug, "--mockamocha-stateful")
            self.engine.set_state(coll.slug, StatefulStore(coll))
        if settings.proxies:
            from pytest_mockamocha.server.proxy import Proxy, Recorder

            self.recorder = Recorder() if settings.record is not None else None
            for slug, url in settings.proxies:
                coll = self._collection(slug, "--mockamocha-proxy")
                self.engine.set_upstream(coll.slug, Proxy(coll, url, recorder=self.recorder))
        elif settings.record is not None:
            raise pytest.UsageError("mockamocha: --mockamocha-record needs --mockamocha-proxy")

    def _collection(self, slug: str, option: str) -> Collection:
        try:
            return self.engine.collection(slug)
        except MockamochaError as exc:
            raise pytest.UsageError(f"mockamocha: {option}: {exc}") from None

    def write_recording(self, worker: str | None) -> Path | None:
        """Write what the proxies recorded (one file per xdist worker); the path written."""
        path = self.settings.record
        if self.recorder is None or path is None or not self.recorder.count:
            return None  # nothing proxied (or the xdist controller): keep any earlier file
        if worker:
            path = path.with_name(f"{path.stem}.{worker}{path.suffix}")
        self.recorder.write(path)
        return path

    def ensure_started(self) -> MockServer:
        """The running server (started on first use)."""
        if not self.started:
            self.server.start()
            self.started = True
        return self.server

    def close(self) -> None:
        """Stop the server if it ran, and release proxied connections."""
        for coll in self.engine:
            if coll.upstream is not None:
                coll.upstream.close()
        if self.started:
            self.server.stop()
            self.started = False


def _management(engine: Engine, cache_dir: Path | None) -> ManagementApi:
    """The management API over an in-memory store, with an administrator to drive it."""
    api = build_api(memory_store(), engine, load_secret(None), cache_dir=cache_dir)
    api.ensure_admin("admin@mockamocha.invalid", secrets.token_urlsafe(24))
    return api


def _expand(path: Path) -> list[tuple[Path, bool]]:
    if path.is_dir():
        return [
            (p, False)
            for p in sorted(path.iterdir())
            if p.is_file() and p.suffix.lower() in SPEC_SUFFIXES
        ]
    if not path.exists():
        raise pytest.UsageError(f"mockamocha: spec not found: {path}")
    return [(path, True)]


_TOP_KEY = re.compile(rb"""^\s*\{?\s*["']?(openapi|swagger)["']?\s*:""", re.M)


def _looks_like_openapi(path: Path) -> bool:
    """Folder scans skip files that are fragments of a multi-file spec."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError:
        return True  # let the real load report what is wrong
    return _TOP_KEY.search(head) is not None
