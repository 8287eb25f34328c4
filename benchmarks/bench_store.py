"""What a team server's store costs at N collections, per backend, at the store seam (what
the management API's handlers call), in one run:

    python benchmarks/bench_store.py [--n 1000] [--samples 20] [--postgres URL]

Each backend gets a fresh database (TinyDB file and SQLite file in a temporary folder;
``--postgres`` must name an empty database) filled with N-1 collections of one workspace,
each holding a 4.5 KB document and 10 endpoints, in one transaction. Then, at N:

* ``create``: one collection insert (as POST /api/collections writes it);
* ``import``: storing a document and 10 endpoints in one transaction (as an import does);
* ``colls p1``: the collections page the API reads (one page, grouped endpoint counts, total);
* ``eps p1``: the endpoints page (the workspace's collections, one sorted page, total);
* ``reopen``: opening the database again and reading one record.

Medians of ``--samples`` runs (reopen: of 3), in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from pytest_mockamocha._ids import new_id, record_id
from pytest_mockamocha.store import HEAVY, Query, Store, open_store_url, utc_now

WORKSPACE = "ws_bench"
SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Bench", "version": "1"},
    "paths": {
        f"/things{n}/{{id}}": {"get": {"summary": "x" * 400, "responses": {"200": {}}}}
        for n in range(10)
    },
}


def _collection() -> dict[str, Any]:
    now = utc_now()
    return {
        "id": record_id("coll"),
        "workspace_id": WORKSPACE,
        "name": "Bench",
        "slug": new_id("s"),
        "spec": None,
        "created_at": now,
        "updated_at": now,
    }


def _import(store: Store, coll: dict[str, Any]) -> None:
    with store.transaction():
        store.collections.update(coll["id"], {"spec": SPEC, "updated_at": utc_now()})
        for n in range(10):
            store.endpoints.insert(
                {
                    "id": record_id("ep"),
                    "collection_id": coll["id"],
                    "method": "GET",
                    "path": f"/things{n}/{{id}}",
                    "name": f"Thing {n}",
                    "created_at": utc_now(),
                }
            )


def _collections_page(store: Store) -> None:
    mine = Query(equals={"workspace_id": WORKSPACE}, limit=20, omit=HEAVY["collections"])
    colls = store.collections.select(mine)
    store.endpoints.count_by("collection_id", [c["id"] for c in colls])
    store.collections.total(mine)


def _endpoints_page(store: Store) -> None:
    mine = Query(equals={"workspace_id": WORKSPACE}, omit=HEAVY["collections"])
    colls = [c["id"] for c in store.collections.select(mine)]
    query = Query(within={"collection_id": colls})
    page = Query(within=query.within, order=(("path", False), ("method", False)), limit=20)
    rows = store.endpoints.select(page)
    store.endpoints.total(query)
    store.rules.count_by("endpoint_id", [r["id"] for r in rows])


def _median_ms(samples: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(url: str, n: int, samples: int) -> dict[str, float]:
    """The figures of one backend at ``url`` (an empty database)."""
    store = open_store_url(url)
    with store.transaction():
        for _ in range(n - 1):
            coll = store.collections.insert(_collection())
            _import(store, coll)
    made: list[dict[str, Any]] = []
    figures = {
        "create": _median_ms(samples, lambda: made.append(store.collections.insert(_collection()))),
        "import": _median_ms(samples, lambda: _import(store, made.pop())),
        "colls p1": _median_ms(samples, lambda: _collections_page(store)),
        "eps p1": _median_ms(samples, lambda: _endpoints_page(store)),
    }
    store.close()

    def reopen() -> None:
        again = open_store_url(url)
        again.collections.select(Query(limit=1))
        again.close()

    figures["reopen"] = _median_ms(3, reopen)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="collections in the database")
    parser.add_argument("--samples", type=int, default=20, help="timed runs per figure")
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        urls = {"tinydb": f"{folder}/db.json", "sqlite": f"sqlite:///{folder}/db.sqlite"}
        if args.postgres:
            urls["postgresql"] = args.postgres
        print(f"N={args.n} collections x 10 endpoints; medians in ms")
        print(
            f"{'backend':<11}"
            + "".join(f"{k:>10}" for k in ("create", "import", "colls p1", "eps p1", "reopen"))
        )
        for name, url in urls.items():
            figures = measure(url, args.n, args.samples)
            print(f"{name:<11}" + "".join(f"{v:>10.1f}" for v in figures.values()))


if __name__ == "__main__":
    main()
