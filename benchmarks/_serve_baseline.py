"""Baseline servers for ``bench_server.py``; each serves until killed.

    python benchmarks/_serve_baseline.py httpserver|werkzeug PORT BODIES.json

``BODIES.json`` holds what pytest-mockamocha answered, so every server sends the same JSON:
``{"get": {"path": ..., "status": ..., "json": ...}, "post": {...}}``.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any


def serve_httpserver(port: int, bodies: dict[str, Any]) -> None:
    """pytest-httpserver with one permanent expectation per operation."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=port)
    get, post = bodies["get"], bodies["post"]
    server.expect_request(get["path"], method="GET").respond_with_json(
        get["json"], status=get["status"])
    # json= makes pytest-httpserver parse and compare the body: its nearest thing to validation.
    server.expect_request(post["path"], method="POST", json=post["request"]).respond_with_json(
        post["json"], status=post["status"])
    server.start()
    threading.Event().wait()


def serve_werkzeug(port: int, bodies: dict[str, Any]) -> None:
    """A bare, threaded werkzeug app: route on method and path, parse the POST body."""
    from werkzeug.serving import WSGIRequestHandler, make_server
    from werkzeug.wrappers import Request, Response

    get, post = bodies["get"], bodies["post"]
    get_body, post_body = json.dumps(get["json"]), json.dumps(post["json"])

    @Request.application
    def app(request: Request) -> Response:
        if request.method == "GET" and request.path == get["path"]:
            return Response(get_body, get["status"], content_type="application/json")
        if request.method == "POST" and request.path == post["path"]:
            if not isinstance(request.get_json(silent=True), dict):
                return Response('{"error": "bad body"}', 422, content_type="application/json")
            return Response(post_body, post["status"], content_type="application/json")
        return Response('{"error": "not found"}', 404, content_type="application/json")

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    make_server("127.0.0.1", port, app, threaded=True,
                request_handler=QuietHandler).serve_forever()


def main() -> None:
    kind, port, bodies_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(bodies_file, encoding="utf-8") as fh:
        bodies = json.load(fh)
    {"httpserver": serve_httpserver, "werkzeug": serve_werkzeug}[kind](port, bodies)


if __name__ == "__main__":
    main()
