"""Defaults shared by the plugin, the CLI and the server, in a module that imports nothing."""

from __future__ import annotations

#: The address a server binds unless told otherwise: this machine only.
DEFAULT_HOST = "127.0.0.1"

#: Largest request body the mock reads (bytes); larger ones answer 413.
DEFAULT_MAX_BODY = 10 * 1024 * 1024

#: The WSGI servers the app can run on.
SERVER_KINDS = ("waitress", "werkzeug")
