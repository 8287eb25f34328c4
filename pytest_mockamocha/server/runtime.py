"""A running mock server: engine + WSGI app + serving thread, as one object.

The plugin's ``mockamocha_server`` fixture and ``mockamocha serve`` both hold one of these.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_mockamocha._defaults import DEFAULT_HOST, DEFAULT_MAX_BODY
from pytest_mockamocha.engine import Collection, Engine
from pytest_mockamocha.server.app import MockServerApp, WSGIApp
from pytest_mockamocha.server.cors import CorsPolicy
from pytest_mockamocha.server.serving import ServerThread
from pytest_mockamocha.server.waiting import DEFAULT_SEATS, WaitingRoom
from pytest_mockamocha.spec.loader import load_spec
from pytest_mockamocha.spec.model import ApiSpec

#: what the socket accepts when the management API is served: imports (10 MiB) plus slack
_API_WIRE_LIMIT = 10 * 1024 * 1024 + 64 * 1024
#: the threads that answer at once, besides those that wait (see waiting.py)
_ANSWERING_THREADS = 16

if TYPE_CHECKING:
    from pytest_mockamocha.api import ManagementApi


class MockServer:
    """Collections served on one socket under ``/mocks/{slug}``."""

    def __init__(
        self,
        engine: Engine | None = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        kind: str = "waitress",
        max_body: int = DEFAULT_MAX_BODY,
        api: WSGIApp | None = None,
        management: ManagementApi | None = None,
        waiting_seats: int = DEFAULT_SEATS,
        private: bool = False,
        cors_origins: Iterable[str] = (),
    ):
        """``private``: a server with workspaces (a team server): a request learns only of
        its own workspace's collections, none when anonymous; else of every collection.
        ``cors_origins``: the origins whose pages may call the management API with the
        user's cookie (any origin may call it with a token)."""
        self.engine = engine or Engine()
        #: the management API served under ``/api`` (None: mocks and health only)
        self.management = management
        room = WaitingRoom(waiting_seats)
        visible = None
        if management is not None:
            visible = management.visible_slugs if private else management.known_slugs
        self.app = MockServerApp(
            self.engine,
            max_body=max_body,
            api=api or management,
            waiting=room,
            visible=visible,
            cors=CorsPolicy(cors_origins),
            exchanges=None if management is None else management.state.exchanges,
        )
        # the API reads (and refuses, in its envelope) up to 10 MiB whatever the mocks' limit
        wire_limit = max_body if management is None else max(max_body, _API_WIRE_LIMIT)
        self._thread = ServerThread(
            self.app,
            host=host,
            port=port,
            kind=kind,
            max_body=wire_limit,
            # waiting answers sit in threads of their own: the 16 others always answer
            threads=_ANSWERING_THREADS + room.seats,
        )

    @property
    def url(self) -> str:
        """The server's root URL, ``http://127.0.0.1:PORT``."""
        return self._thread.url

    @property
    def host(self) -> str:
        """The bound address."""
        return self._thread.host

    @property
    def port(self) -> int:
        """The bound port (the real one once started with port 0)."""
        return self._thread.port

    @property
    def admin_token(self) -> str:
        """A fresh JWT of the store's first administrator, for driving ``/api``."""
        if self.management is None:
            raise LookupError("this server has no management API")
        return self.management.admin_token()

    @property
    def kind(self) -> str:
        """``waitress`` or ``werkzeug``."""
        return self._thread.kind

    def add_spec(self, spec: ApiSpec | str | Path, slug: str | None = None) -> Collection:
        """Mount a spec (an ``ApiSpec`` or a path), ready to serve at once, as every
        document is mounted (listed in the management API's store when there is one)."""
        from pytest_mockamocha.server.assembly import mount
        from pytest_mockamocha.server.config import Document

        loaded = spec if isinstance(spec, ApiSpec) else load_spec(spec, slug=slug)
        return mount(self.engine, self.management, Document(spec=loaded, slug=slug))[0]

    def url_for(self, slug: str, path: str = "") -> str:
        """The mock URL of ``path`` in collection ``slug``."""
        self.engine.collection(slug)
        suffix = path if not path or path.startswith("/") else "/" + path
        return f"{self.url}/mocks/{slug}{suffix}"

    def start(self) -> MockServer:
        """Start serving (idempotent)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._thread.stop()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
