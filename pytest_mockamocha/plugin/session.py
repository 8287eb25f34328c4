"""The session's mock state, kept in ``config.stash``: the assembled server and what the
session adds to it.

The plugin only translates: its ``Settings`` become a ``ServerConfig`` that
``server/assembly.py`` builds, and the assembly's errors become usage errors. Specs load
in ``pytest_configure`` so a broken one stops the run before any test; the server starts
on first use, so suites that never ask for it pay nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from pytest_mockamocha.engine import Collection
from pytest_mockamocha.errors import ConfigError, MockamochaError, MockamochaWarning
from pytest_mockamocha.plugin.options import OPTION_NAMES, Settings
from pytest_mockamocha.server.assembly import assemble
from pytest_mockamocha.server.config import Document, ServerConfig
from pytest_mockamocha.server.runtime import MockServer


class MockamochaSession:
    """Everything mockamocha holds for one pytest session (or one xdist worker)."""

    def __init__(
        self,
        settings: Settings,
        cache_dir: Path | None = None,
        documents: Sequence[Document] = (),
    ):
        self.settings = settings
        config = ServerConfig(
            documents=tuple(documents),
            rule_files=settings.rules,
            proxies=settings.proxies,
            record=settings.record,
            stateful=settings.stateful,
            host=settings.host,
            port=settings.port,
            kind=settings.server,
            max_body=settings.max_body,
            seed=settings.seed,
            cache_dir=cache_dir,
            cors_origins=settings.cors_origins,
        )
        with _usage_errors():
            self.assembly = assemble(config)
        self.engine = self.assembly.engine
        self.server: MockServer = self.assembly.server
        self.recorder = self.assembly.recorder
        self.started = False
        self.strict_failures = 0
        #: slugs of the specs from the command line, ini and remote (markers add more later)
        self.configured: list[str] = list(self.assembly.mounted)
        #: summaries xdist workers shipped to this controller
        self.worker_summaries: list[dict[str, dict[str, object]]] = []

    def rule_warnings(self, config: pytest.Config) -> None:
        """Rule files that break the contract: a usage error in strict mode, else warnings."""
        notes = [note for loaded in self.assembly.rule_files for note in loaded.warnings]
        if notes and self.settings.strict:
            listed = "\n".join(f"  {note}" for note in notes)
            raise pytest.UsageError(
                f"mockamocha (strict): rules that break the contract:\n{listed}"
            )
        for note in notes:
            config.issue_config_time_warning(MockamochaWarning(note), stacklevel=2)

    def load_marker_spec(self, path: Path, slug: str | None = None) -> Collection:
        """Mount a spec a marker names (once per path), at any point in the session."""
        found = self.engine.find_source(str(path))
        if found is not None:
            return found
        with _usage_errors():
            mounted = self.assembly.mount(Document(path=path, slug=slug))
        if not mounted:
            raise pytest.UsageError(f"mockamocha: no OpenAPI document in {path}")
        return mounted[0]

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
        self.assembly.close()
        self.started = False


@contextmanager
def _usage_errors() -> Iterator[None]:
    """The assembly's errors as pytest usage errors, in the plugin's option names."""
    try:
        yield
    except ConfigError as exc:
        raise pytest.UsageError(f"mockamocha: {exc.worded(OPTION_NAMES)}") from None
    except MockamochaError as exc:
        raise pytest.UsageError(f"mockamocha: {exc}") from None
