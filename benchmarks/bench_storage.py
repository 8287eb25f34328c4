"""A team server's storage as its workspace grows: what an API call, a list page, a restart
and memory cost at N collections, per backend, against a raw SQLite transaction timed in
the same run.

    python benchmarks/bench_storage.py [--db tinydb --db sqlite ...] [--sizes 10,100,1000,10000]
                                       [--reps 20] [--writers 8] [--writes 25]

``--db`` names a backend (``tinydb``, ``sqlite``, or a full ``postgresql://`` URL of an empty
database); each gets its own files in a temporary folder. For each size N, ascending: the
server is stopped, the workspace grown to N collections of a 10-operation document (written
straight into the store, as the API's import writes them: the collection with its document
and one endpoint record per operation), and ``mockamocha serve --db URL`` started again;
then, over HTTP on 127.0.0.1: restart to healthy, ``--reps`` creates, imports, collection
list pages (first and last) and endpoint list pages (p50 of each; ``sorted_ms``, the
slowest of the endpoint listing's other sorts and a filter), ``--writers`` clients
creating collections at once (writes/s, p95), the first mock request of a stored collection
(compiled on first use) and the server's RSS.

Two raw SQLite references (WAL, synchronous=FULL), timed in the same run into tables grown
to the same N: ``raw_sqlite_ms``, one transaction writing one row (what a create writes),
and ``raw_import_ms``, one transaction writing what an import writes (the document's text
into one row and one endpoint-sized row per operation, 10 here). ``create_x`` and
``import_x`` are the API's p50 over its reference (create/raw, import/raw_import); each
reference takes turns with the API call it is compared with (five rounds, each running
its share of the calls back to back), so both see the same machine; and before anything is
timed, the server and both references write until each WAL has wrapped, as on a server that
has run a while (a commit that grows a WAL file for the first time costs ~1.5x one that
overwrites a wrapped WAL, and the server's wrapped within its first imports while the
references' never did). ``http_floor_ms`` is
the p50 of an authenticated API call that writes nothing (``GET /api/auth/me``), timed in
the same rounds as the creates: the part of every API call that is HTTP, the pool and the
token, whatever the store.
On SQLite, ``create_pages``, ``import_pages``, ``raw_pages`` and ``raw_import_pages`` are
the pages one such commit appends to the WAL (means): what its fsync writes.

A third reference, ``schema_import_ms``, writes what an import writes into the server's own
schema (a file grown to N the same way): the endpoint rows, the collection's document and
the import record, laid out as the store lays them out, by sqlite3 alone in one
transaction. Its ratio to ``raw_import_ms`` is what the schema's indexes cost (the listing's
four sort orders, which keep list pages fast at every N); ``import_schema_x``, the API's
import over it, is what our layers and HTTP add to that write. ``schema_create_ms`` is the
same for a create (its collection row).

The floor of any server on this stack and schema: ``stack_create_ms`` and
``stack_import_ms`` are the same POSTs (a create's body, the document) answered by werkzeug
on waitress with none of our code (``STACK``: the body read, a fixed answer), timed in the
same rounds. ``create_floor_x`` and ``import_floor_x`` are that HTTP plus the schema's
write, over the raw reference: what the ratio would be if our request handling cost nothing.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
from _loopback import free_port

ADMIN = ("bench@example.com", "bench-password-123")


def document(i: int = 0) -> dict[str, Any]:
    """A 10-operation OpenAPI document (about 4.5 KB, like the measured team documents)."""
    item = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string", "maxLength": 40},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }
    paths: dict[str, Any] = {}
    for resource in ("items", "orders"):
        ok = {"description": "ok", "content": {"application/json": {"schema": item}}}
        listed = {"type": "array", "items": item}
        paths[f"/{resource}"] = {
            "get": {
                "operationId": f"list_{resource}",
                "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": listed}},
                    }
                },
            },
            "post": {
                "operationId": f"create_{resource}",
                "requestBody": {"content": {"application/json": {"schema": item}}},
                "responses": {"201": ok},
            },
        }
        one = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
        paths[f"/{resource}/{{id}}"] = {
            "parameters": [one],
            "get": {"operationId": f"get_{resource}", "responses": {"200": ok}},
            "put": {
                "operationId": f"put_{resource}",
                "requestBody": {"content": {"application/json": {"schema": item}}},
                "responses": {"200": ok},
            },
            "delete": {
                "operationId": f"delete_{resource}",
                "responses": {"204": {"description": "gone"}},
            },
        }
    return {"openapi": "3.0.3", "info": {"title": f"Service {i}", "version": "1.0"}, "paths": paths}


def url_of(backend: str, folder: Path) -> str:
    if backend == "tinydb":
        return str(folder / "db.json")
    if backend == "sqlite":
        return f"sqlite:///{folder / 'db.sqlite'}"
    return backend


class Server:
    """One ``mockamocha serve --db URL`` subprocess."""

    def __init__(self, url: str, cache: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "MOCKAMOCHA_CACHE_DIR": str(cache),
            "MOCKAMOCHA_ADMIN_EMAIL": ADMIN[0],
            "MOCKAMOCHA_ADMIN_PASSWORD": ADMIN[1],
        }
        argv = [sys.executable, "-m", "pytest_mockamocha.cli", "serve", "--db", url]
        began = time.perf_counter()
        self.proc = subprocess.Popen(
            [*argv, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/api/health", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.02)
        else:
            self.stop()
            raise RuntimeError("the server did not become healthy")
        self.ready = time.perf_counter() - began
        answer = requests.post(
            f"{self.base}/api/auth/login",
            json={"email": ADMIN[0], "password": ADMIN[1]},
            timeout=30,
        )
        answer.raise_for_status()
        self.auth = {"Authorization": f"Bearer {answer.json()['data']['access_token']}"}
        self.http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def call(
        self, method: str, path: str, body: Any = None, content_type: str = "application/json"
    ) -> Any:
        """One API call on the kept-alive connection (as an SDK client holds one); its data."""
        data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        headers = {**self.auth, "Content-Type": content_type}
        self.http.request(method, path, body=data, headers=headers)
        answer = self.http.getresponse()
        raw = answer.read()
        if answer.status >= 400:
            raise RuntimeError(f"{method} {path}: {answer.status} {raw[:200]!r}")
        return json.loads(raw)["data"] if raw else None

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


#: the stack's own floor: werkzeug answering on waitress, none of our code; it reads the body
#: (as any API call that takes one must) and answers a fixed envelope
STACK = """
import sys
import waitress
from werkzeug.wrappers import Request, Response

@Request.application
def app(request):
    request.get_data()
    return Response('{"data": {"id": "coll_0"}}', status=201, content_type="application/json")

waitress.serve(app, host="127.0.0.1", port=int(sys.argv[1]), _quiet=True)
"""


class Stack:
    """The ``STACK`` server: what a POST costs over HTTP on werkzeug and waitress alone."""

    def __init__(self) -> None:
        port = free_port()
        self.proc = subprocess.Popen([sys.executable, "-c", STACK, str(port)])
        deadline = time.monotonic() + 60
        while True:
            try:
                self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                self.post(b"{}")
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.02)

    def post(self, body: bytes | str) -> None:
        self.http.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
        self.http.getresponse().read()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def grow(url: str, target: int, doc: dict[str, Any]) -> None:
    """Write collections straight into the store until it holds ``target`` (the server is
    stopped), each as the API's import leaves it."""
    from pytest_mockamocha._ids import record_id
    from pytest_mockamocha.store import Query, open_store_url, utc_now

    store = open_store_url(url)
    try:
        (admin,) = store.users.find(is_admin=True)
        have = store.collections.total(Query())
        for start in range(have, target, 100):
            with store.transaction():
                for i in range(start, min(start + 100, target)):
                    now = utc_now()
                    coll = store.collections.insert(
                        {
                            "id": record_id("coll"),
                            "workspace_id": admin["workspace_id"],
                            "name": f"Service {i}",
                            "description": "",
                            "slug": f"service-{i}",
                            "spec": doc,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    for endpoint in endpoint_records(doc, coll, now):
                        store.endpoints.insert(endpoint)
    finally:
        store.close()


def endpoint_records(
    doc: dict[str, Any], coll: dict[str, Any], now: str
) -> list[dict[str, Any]]:
    """The endpoint records an import of ``doc`` into ``coll`` leaves, one per operation."""
    from pytest_mockamocha._ids import record_id

    return [
        {
            "id": record_id("ep"),
            "collection_id": coll["id"],
            "workspace_id": coll["workspace_id"],
            "created_at": now,
            "updated_at": now,
            "method": method.upper(),
            "path": path,
            "operation": f"{method.upper()} {path}",
            "name": op["operationId"],
            "operation_id": op["operationId"],
        }
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method != "parameters"
    ]


def p50(values: list[float]) -> float:
    return statistics.median(values) * 1000


class WalPages:
    """The pages a SQLite file's WAL gains per call: the WAL index's frame count (its
    ``mxFrame``, in the ``-shm`` file's header) read before and after each call, outside
    the timed part; a call during which the WAL restarted (after a checkpoint) is left out.
    Nothing for another backend."""

    def __init__(self, db: Path | None) -> None:
        self.shm = None if db is None else db.with_name(db.name + "-shm")
        self.counts: list[int] = []
        self._before: int | None = None

    def _frames(self) -> int | None:
        if self.shm is None:
            return None
        with open(self.shm, "rb") as f:
            return int.from_bytes(f.read(20)[16:20], sys.byteorder)

    def before(self) -> None:
        self._before = self._frames()

    def after(self) -> None:
        now = self._frames()
        if now is not None and self._before is not None and now > self._before:
            self.counts.append(now - self._before)

    def mean(self) -> float | None:
        return round(statistics.mean(self.counts), 1) if self.counts else None


def until_wrapped(write: Any, db: Path | None, most: int = 200) -> int:
    """Call ``write`` until the WAL of ``db`` has wrapped (a checkpoint let the next commit
    start again at its beginning), at most ``most`` times; how many calls it took (0 for a
    store without a WAL).

    A commit that appends to a WAL file growing for the first time costs more than one
    that overwrites a wrapped WAL (here ~0.43 vs ~0.28 ms for the import reference): a
    server that has run a while is in the second state, and whatever is compared must be
    in the same one. Freshly opened, the server wrapped within its first imports while the
    references never did, which made every ratio look ~1.5x better than it is."""
    pages = WalPages(db)
    last = pages._frames()
    if last is None:
        return 0
    for calls in range(1, most + 1):
        write()
        now = pages._frames()
        if now is not None and now < last:
            return calls
        last = now
    raise RuntimeError(f"the WAL of {db} did not wrap in {most} writes")


def timed(action: Any, reps: int, pages: WalPages | None = None) -> list[float]:
    out = []
    for _ in range(reps):
        if pages is not None:
            pages.before()
        began = time.perf_counter()
        action()
        out.append(time.perf_counter() - began)
        if pages is not None:
            pages.after()
    return out


def writers(server: Server, clients: int, each: int) -> tuple[float, float]:
    """``clients`` threads creating ``each`` collections at once: writes/s and p95 (ms)."""
    spent: list[float] = []
    lock = threading.Lock()

    def work(k: int) -> None:
        session = requests.Session()
        session.headers.update(server.auth)
        for j in range(each):
            began = time.perf_counter()
            answer = session.post(
                f"{server.base}/api/collections",
                json={"name": f"w{k}-{j}-{time.monotonic_ns()}"},
                timeout=120,
            )
            answer.raise_for_status()
            with lock:
                spent.append(time.perf_counter() - began)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    spent.sort()
    return len(spent) / wall, spent[int(len(spent) * 0.95) - 1] * 1000


class RawSQLite:
    """The physical reference: one-row transactions into a WAL SQLite file grown to N."""

    #: an endpoint record's size as the store keeps it (~330 bytes of JSON, its columns)
    ENDPOINT = "x" * 450

    def __init__(self, path: Path, document: str, operations: int) -> None:
        self.path = path
        self.db = self._connect()
        self.db.execute("CREATE TABLE t (id TEXT PRIMARY KEY, data TEXT)")
        self.db.execute("CREATE TABLE docs (id TEXT PRIMARY KEY, data TEXT)")
        self.db.execute("CREATE TABLE eps (id TEXT PRIMARY KEY, owner TEXT, data TEXT)")
        self.db.execute("CREATE INDEX eps_owner ON eps (owner)")
        self.document = document
        self.operations = operations
        self.rows = 0
        self.docs = 0

    def grow(self, n: int) -> None:
        """Both references' tables to ``n`` rows (``n`` documents with their endpoints)."""
        self.db.execute("BEGIN")
        while self.rows < n:
            self.db.execute("INSERT INTO t VALUES (?, ?)", (f"r{self.rows}", "x" * 300))
            self.rows += 1
        self.db.execute("COMMIT")
        while self.docs < n:
            self.db.execute("BEGIN")
            for _ in range(min(100, n - self.docs)):
                self._document()
            self.db.execute("COMMIT")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        return db

    def reopen(self) -> None:
        """Close and open again, as the server's restart leaves its file: checkpointed, with
        a new WAL. ``measure`` then writes until this WAL has wrapped, as the server's has
        (``until_wrapped``)."""
        self.db.close()
        self.db = self._connect()

    def write(self) -> None:
        """One transaction writing one row: the reference of a create."""
        self.db.execute("BEGIN")
        self.db.execute("INSERT INTO t VALUES (?, ?)", (f"r{self.rows}", "x" * 300))
        self.db.execute("COMMIT")
        self.rows += 1

    def write_import(self) -> None:
        """One transaction writing what an import writes: the reference of an import."""
        self.db.execute("BEGIN")
        self._document()
        self.db.execute("COMMIT")

    def _document(self) -> None:
        d = f"d{self.docs}"
        self.db.execute("INSERT INTO docs VALUES (?, ?)", (d, self.document))
        self.db.executemany(
            "INSERT INTO eps VALUES (?, ?, ?)",
            [(f"{d}-{k}", d, self.ENDPOINT) for k in range(self.operations)],
        )
        self.docs += 1


class SchemaSQLite:
    """The import reference written into the server's own schema: an import's rows as the
    store lays them out (``SqlRepository``'s rows and statements, computed beforehand), in
    one transaction by sqlite3 alone, into a file ``grow`` fills as the server's is."""

    def __init__(self, path: Path, doc: dict[str, Any]) -> None:
        from pytest_mockamocha._ids import record_id
        from pytest_mockamocha.store import open_store_url, utc_now

        self.path, self.url, self.doc = path, f"sqlite:///{path}", doc
        store = open_store_url(self.url)  # the schema, migrated as the server's
        try:
            store.users.insert(
                {
                    "id": record_id("user"),
                    "workspace_id": "ws_reference",
                    "email_key": "reference@example.com",
                    "is_admin": True,
                    "created_at": utc_now(),
                }
            )
        finally:
            store.close()
        self.db: sqlite3.Connection | None = None
        self.pending: list[tuple[str, list[dict[str, Any]], str, dict[str, Any], str,
                                 dict[str, Any]]] = []
        #: a create's statement and row, one per create to come
        self.creates: list[tuple[str, dict[str, Any]]] = []

    def grow(self, n: int, reps: int) -> None:
        """To ``n`` collections; then ``reps`` empty ones (as creates leave them) and the
        rows importing the document into each will write."""
        from pytest_mockamocha._ids import record_id
        from pytest_mockamocha.store import open_store_url, utc_now

        if self.db is not None:
            self.db.close()
        grow(self.url, n, self.doc)
        store: Any = open_store_url(self.url)
        try:
            (admin,) = store.users.find(is_admin=True)
            ws = admin["workspace_id"]
            endpoints, collections, imports = store.endpoints, store.collections, store.imports
            self.pending = []
            now = utc_now()
            self.creates = [
                (collections._sql.insert, collections._sql.values(collections._row(
                    {"id": record_id("coll"), "workspace_id": ws, "name": f"Created {n} {i}",
                     "description": "", "slug": f"created-{n}-{i}", "spec": None,
                     "created_at": now, "updated_at": now}
                )))
                for i in range(reps)
            ]
            for i in range(reps):
                now = utc_now()
                coll = collections.insert(
                    {"id": record_id("coll"), "workspace_id": ws, "name": f"Reference {n} {i}",
                     "description": "", "slug": f"reference-{n}-{i}", "created_at": now,
                     "updated_at": now}
                )
                rows = [
                    endpoints._sql.values(endpoints._row(endpoint))
                    for endpoint in endpoint_records(self.doc, coll, now)
                ]
                done = collections._row({**coll, "spec": self.doc, "updated_at": now})
                record = imports._row(
                    {"id": record_id("imp"), "status": "completed", "stage": "completed",
                     "endpoints_created": len(rows), "endpoints_updated": 0,
                     "endpoints_removed": 0, "message": f"Imported {len(rows)} endpoints",
                     "errors": [], "warnings": [], "collection_id": coll["id"],
                     "workspace_id": ws, "created_at": now, "finished_at": now}
                )
                self.pending.append((
                    endpoints._sql.insert, rows,
                    collections._sql.update(["data", "heavy"]), collections._sql.values(done),
                    imports._sql.insert, imports._sql.values(record),
                ))
        finally:
            store.close()
        self.db = sqlite3.connect(self.path, isolation_level=None)  # a new WAL, as a restart
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")

    def write_create(self) -> None:
        """One transaction writing a create's row (a collection) into the schema."""
        assert self.db is not None
        insert, row = self.creates.pop()
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute(insert, row)
        self.db.execute("COMMIT")

    def write_import(self) -> None:
        """One transaction writing an import's rows into the schema."""
        assert self.db is not None
        insert, rows, update, collection, add, record = self.pending.pop()
        self.db.execute("BEGIN IMMEDIATE")
        self.db.executemany(insert, rows)
        self.db.execute(update, collection)
        self.db.execute(add, record)
        self.db.execute("COMMIT")

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


#: the endpoint listing's other orders and a filter: ``sorted_ms`` is the slowest one's p50
SORTS = (
    "sort=-path",
    "sort=name",
    "sort=-name",
    "sort=method",
    "sort=-created_at",
    "sort=-requests_count",
    "sort=last_request_at",
    "method=GET",
)


def interleaved(
    cases: list[tuple[Any, WalPages | None]], reps: int, rounds: int = 5
) -> list[list[float]]:
    """Each case's ``reps`` times, taken in ``rounds`` rounds in which every case runs its
    share back to back (in rotated order): a reference and what is compared with it see the
    same machine, and each runs warm, as a client's calls in a row do."""
    times: list[list[float]] = [[] for _ in cases]
    for rnd in range(rounds):
        share = reps // rounds + (1 if rnd < reps % rounds else 0)
        order = list(range(len(cases)))
        order = order[rnd % len(order) :] + order[: rnd % len(order)]
        for k in order:
            action, pages = cases[k]
            times[k] += timed(action, share, pages)
    return times


#: the schema reference's imports set aside to wrap its WAL (~15 do, at 66 pages each)
SCHEMA_WARMUP = 40


def measure(
    server: Server,
    n: int,
    text: str,
    args: argparse.Namespace,
    db: Path | None,
    raw: RawSQLite,
    schema: SchemaSQLite,
    stack: Stack,
) -> dict[str, Any]:
    """Every figure of one server holding ``n`` collections (``db``: its SQLite file), the
    writes timed in turns with the raw references, an authenticated call that writes
    nothing (``GET /api/auth/me``: what any API call costs over HTTP), the same writes by
    sqlite3 alone into the server's schema, and the same POSTs to ``STACK``."""
    made: list[str] = []

    def create() -> None:
        name = f"bench {n} {len(made)}"
        made.append(server.call("POST", "/api/collections", {"name": name})["id"])

    def import_another() -> None:
        create()
        server.call("POST", f"/api/collections/{made.pop()}/import", text)

    for _ in range(3):  # warm-up: the routes load, the pool fills
        create()
    # every WAL wrapped before anything is timed: the state of a server that has run a while
    until_wrapped(import_another, db)
    until_wrapped(raw.write_import, raw.path)
    until_wrapped(schema.write_import, schema.path, SCHEMA_WARMUP)
    create_pages, import_pages = WalPages(db), WalPages(db)
    raw_pages, raw_import_pages = WalPages(raw.path), WalPages(raw.path)
    schema_pages = WalPages(schema.path)
    created = json.dumps({"name": "bench"})
    creates, raw_creates, floor, schema_creates, stack_creates = interleaved(
        [
            (create, create_pages),
            (raw.write, raw_pages),
            (functools.partial(server.call, "GET", "/api/auth/me"), None),
            (schema.write_create, None),
            (functools.partial(stack.post, created), None),
        ],
        args.reps,
    )
    targets = iter(made[3:])
    imports, raw_imports, schema_imports, stack_imports = interleaved(
        [
            (
                lambda: server.call("POST", f"/api/collections/{next(targets)}/import", text),
                import_pages,
            ),
            (raw.write_import, raw_import_pages),
            (schema.write_import, schema_pages),
            (functools.partial(stack.post, text), None),
        ],
        args.reps,
    )
    total = server.call("GET", "/api/collections?per_page=20")["total"]
    last = f"/api/collections?per_page=20&page={max(1, -(-total // 20))}"
    first_page = timed(lambda: server.call("GET", "/api/collections?per_page=20"), args.reps)
    last_page = timed(lambda: server.call("GET", last), args.reps)
    endpoints = timed(lambda: server.call("GET", "/api/endpoints?per_page=20"), args.reps)
    mock = f"{server.base}/mocks/service-{n // 2}/items/1"
    first_mock = timed(lambda: requests.get(mock, timeout=60), 1)
    sorted_pages = {  # after the mock request: a traffic sort has a busy endpoint
        sort: p50(timed(functools.partial(server.call, "GET", f"/api/endpoints?{sort}"), 5))
        for sort in SORTS
    }
    slowest = max(sorted_pages, key=lambda sort: sorted_pages[sort])
    rate, p95 = writers(server, args.writers, args.writes)
    return {
        "n": n,
        "restart_s": round(server.ready, 3),
        "create_ms": round(p50(creates), 2),
        "import_ms": round(p50(imports), 2),
        "list_first_ms": round(p50(first_page), 2),
        "list_last_ms": round(p50(last_page), 2),
        "endpoints_ms": round(p50(endpoints), 2),
        "sorted_ms": round(sorted_pages[slowest], 2),
        "sorted_slowest": slowest,
        "first_mock_ms": round(first_mock[0] * 1000, 1),
        "writers_per_s": round(rate, 1),
        "writers_p95_ms": round(p95, 1),
        "rss_mb": round(server.rss_mb(), 1),
        "create_pages": create_pages.mean(),
        "import_pages": import_pages.mean(),
        "http_floor_ms": round(p50(floor), 3),
        "raw_sqlite_ms": round(p50(raw_creates), 3),
        "raw_import_ms": round(p50(raw_imports), 3),
        "raw_pages": raw_pages.mean(),
        "raw_import_pages": raw_import_pages.mean(),
        "create_x": round(p50(creates) / p50(raw_creates), 1),
        "import_x": round(p50(imports) / p50(raw_imports), 1),
        "schema_import_ms": round(p50(schema_imports), 3),
        "schema_import_pages": schema_pages.mean(),
        "import_schema_x": round(p50(imports) / p50(schema_imports), 1),
        "schema_create_ms": round(p50(schema_creates), 3),
        "stack_create_ms": round(p50(stack_creates), 3),
        "stack_import_ms": round(p50(stack_imports), 3),
        "create_floor_x": round((p50(stack_creates) + p50(schema_creates)) / p50(raw_creates), 1),
        "import_floor_x": round((p50(stack_imports) + p50(schema_imports)) / p50(raw_imports), 1),
    }


def run(
    backend: str, sizes: list[int], args: argparse.Namespace, folder: Path
) -> list[dict[str, Any]]:
    """Every size, ascending, on one backend (its own files in ``folder``)."""
    doc = document()
    text = json.dumps(doc)
    url = url_of(backend, folder)
    sqlite_file = folder / "db.sqlite" if backend == "sqlite" else None
    operations = sum(1 for item in doc["paths"].values() for m in item if m != "parameters")
    raw = RawSQLite(folder / "raw.sqlite", text, operations)
    schema = SchemaSQLite(folder / "schema.sqlite", doc)
    stack = Stack()
    rows = []
    Server(url, folder / "cache").stop()  # creates the store and its administrator
    try:
        for n in sizes:
            grow(url, n, doc)
            raw.grow(n)
            raw.reopen()
            schema.grow(n, args.reps + SCHEMA_WARMUP)
            server = Server(url, folder / "cache")
            try:
                row = {"backend": backend if "://" not in backend else "postgresql"}
                row |= measure(server, n, text, args, sqlite_file, raw, schema, stack)
            finally:
                server.stop()
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        schema.close()
        stack.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", help="tinydb, sqlite or a postgresql:// URL")
    parser.add_argument("--sizes", default="10,100,1000,10000")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--writes", type=int, default=25)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    for backend in args.db or ["sqlite", "tinydb"]:
        with tempfile.TemporaryDirectory(prefix="mm-storage-") as tmp:
            results += run(backend, sizes, args, Path(tmp))
    header = (
        "backend", "n", "restart_s", "create_ms", "import_ms", "list_first_ms", "list_last_ms",
        "endpoints_ms", "sorted_ms", "sorted_slowest", "first_mock_ms", "writers_per_s",
        "writers_p95_ms", "rss_mb", "http_floor_ms",
        "raw_sqlite_ms", "raw_import_ms", "create_x", "import_x",
        "create_pages", "import_pages", "raw_pages", "raw_import_pages",
        "schema_import_ms", "schema_import_pages", "import_schema_x",
        "schema_create_ms", "stack_create_ms", "stack_import_ms", "create_floor_x",
        "import_floor_x",
    )  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in results:
        print("| " + " | ".join(str(row[h]) for h in header) + " |")
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
