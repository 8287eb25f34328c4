"""Collections between the store and the engine: import, mount, unmount, restore.

The store is the truth; the engine serves what the store holds. A stored collection with
a spec is mounted under its slug, and its stored rules are put in the engine's rule book
(same ids, owned by no test), so the mock honours them at once and after a restart.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from pytest_mockamocha._ids import record_id
from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.api.rulejson import engine_rule
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.errors import SpecError
from pytest_mockamocha.spec.loader import load_text
from pytest_mockamocha.spec.model import ApiSpec, Operation
from pytest_mockamocha.spec.parse import NOT_FAST
from pytest_mockamocha.spec.slug import slugify
from pytest_mockamocha.store import HEAVY, Query, Record, Store, utc_now


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """How an import changed a collection's endpoints."""

    created: int
    updated: int
    removed: int


class Catalog:
    """Keeps the engine's mounted collections and rules in step with the store."""

    def __init__(self, store: Store, engine: Engine, cache_dir: Path | None = None) -> None:
        self.store = store
        self.engine = engine
        self.cache_dir = cache_dir
        #: replicas: the revision of each collection this server mounted (see ``changed``)
        self.shared = store.shared
        self._seen: dict[str, int] = {}
        #: collections are mounted on their first use (``restore`` with ``compiled``)
        self.lazy = False
        if self.shared is not None:
            engine.rules.share(self.shared)

    # -- replicas ------------------------------------------------------------------------
    def changed(self, slug: str) -> None:
        """Say that what the engine serves for ``slug`` changed in the store (a document,
        a rule, a mode): other replicas mount it again before their next use of it."""
        if self.shared is not None:
            self._seen[slug] = self.shared.add(_revision(slug))

    def stale(self, slug: str) -> bool:
        """Whether another replica changed ``slug`` since this server mounted it."""
        return self.shared is not None and self.shared.number(_revision(slug)) != self._seen.get(
            slug, 0
        )

    # -- slugs ---------------------------------------------------------------------------
    def unique_slug(self, name: str) -> str:
        """A slug made from ``name`` that no stored or mounted collection uses: ``name``'s
        own when it is free (one indexed count), else the first free ``-2``, ``-3``..."""
        base = slugify(name) or "api"
        mounted = {c.slug for c in self.engine}
        if base not in mounted and not self.store.collections.total(Query(equals={"slug": base})):
            return base  # without reading every collection whose slug merely starts so
        alike = Query(starts={"slug": base}, omit=HEAVY["collections"])  # one indexed read
        taken = {c["slug"] for c in self.store.collections.select(alike)} | mounted
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        return slug

    # -- specs ---------------------------------------------------------------------------
    def parse(self, text: str | bytes, slug: str, parsed: Any = NOT_FAST) -> ApiSpec:
        """A checked spec from YAML or JSON text (``parsed``: what ``fast_json`` read from
        it, if it was read); 422 with the loader's message otherwise."""
        try:
            return load_text(
                text,
                source=f"collection {slug}",
                slug=slug,
                cache_dir=self.cache_dir,
                parsed=parsed,
            )
        except SpecError as exc:
            raise ApiError(
                422, "the document is not a usable OpenAPI document", [str(exc)]
            ) from None

    def import_spec(
        self,
        coll: Record,
        text: str | bytes,
        *,
        source: str = "api",
        record: Record | None = None,
        parsed: Any = NOT_FAST,
    ) -> Record:
        """Replace ``coll``'s spec, sync its endpoints, remount it; the import record (the
        given ``processing`` one completed, or a new one). A document that cannot be used
        raises 422 and leaves the collection as it was. ``parsed``: the document as
        ``fast_json`` read it from ``text``, when the caller did."""
        spec = self.parse(text, coll["slug"], parsed)
        return self.import_loaded(coll, spec, source=source, record=record, defer=True)

    def import_loaded(
        self,
        coll: Record,
        spec: ApiSpec,
        *,
        source: str,
        record: Record | None = None,
        defer: bool = False,
    ) -> Record:
        """``import_spec`` for a spec already loaded (from a file, with its file refs).

        With ``defer`` on a server that mounts collections on first use, the collection
        is unmounted rather than mounted again: its next request mounts the stored document,
        as after a restart, and the import does not wait for that."""
        # The engine never changes a document it serves (a test walks its features and
        # compares), so one read back from the cache is stored as it is: copying GitHub's
        # took ~60 ms of every serve --memory start.
        document = spec.document if spec.json_clean else _stored_copy(spec.document)
        with self.store.transaction():
            summary = self._sync_endpoints(coll, spec.operations)
            self.store.collections.update(coll["id"], {"spec": document, "updated_at": utc_now()})
            if record is None:  # answered when this returns: recorded with the document
                done = self._import_record(coll, summary, source, None, spec)
        self.changed(coll["slug"])
        if defer and self.lazy:
            self.engine.remove(coll["slug"])
        else:
            self.mount(coll["id"], spec)
        if record is not None:
            # A background import is polled: it says "completed" once its mock answers,
            # not between the commit and the mount (a client then met a 404). A server
            # stopped in between marks it failed on restart, with the document stored.
            done = self._import_record(coll, summary, source, record, spec)
        return done

    def begin_import(self, coll: Record, source: str) -> Record:
        """A ``processing`` import record, for an import that finishes in the background."""
        return self.store.imports.insert(
            {
                "id": record_id("imp"),
                "status": "processing",
                "stage": "queued",
                "endpoints_created": 0,
                "endpoints_updated": 0,
                "endpoints_removed": 0,
                "message": f"Import of {source} is queued",
                "errors": [],
                "collection_id": coll["id"],
                "workspace_id": coll["workspace_id"],
                "created_at": utc_now(),
                "finished_at": None,
            }
        )

    def import_stage(self, record: Record, stage: str, message: str) -> None:
        """Say how far a background import has come."""
        self.store.imports.update(record["id"], {"stage": stage, "message": message})

    def fail_import(self, record: Record, message: str, errors: list[str]) -> Record:
        """End a background import that could not be used (the collection is as it was)."""
        fields = {
            "status": "failed",
            "stage": "failed",
            "message": message,
            "errors": errors,
            "finished_at": utc_now(),
        }
        return self.store.imports.update(record["id"], fields) or {**record, **fields}

    def _import_record(
        self,
        coll: Record,
        summary: ImportSummary,
        source: str,
        record: Record | None,
        spec: ApiSpec,
    ) -> Record:
        total = summary.created + summary.updated
        fields = {
            "status": "completed",
            "stage": "completed",
            "endpoints_created": summary.created,
            "endpoints_updated": summary.updated,
            "endpoints_removed": summary.removed,
            "message": f"Import completed: {total} endpoints from {source}",
            "errors": [],
            # what the document gets wrong but the mock works around (an invalid example...)
            "warnings": [str(w) for w in spec.warnings],
            "finished_at": utc_now(),
        }
        if record is not None:
            return self.store.imports.update(record["id"], fields) or {**record, **fields}
        return self.store.imports.insert(
            {
                "id": record_id("imp"),
                **fields,
                "collection_id": coll["id"],
                "workspace_id": coll["workspace_id"],
                "created_at": utc_now(),
            }
        )

    def _sync_endpoints(self, coll: Record, operations: tuple[Operation, ...]) -> ImportSummary:
        existing = {e["operation"]: e for e in self.store.endpoints.find(collection_id=coll["id"])}
        updated = 0
        now = utc_now()
        added: list[Record] = []
        changed: dict[str, dict[str, Any]] = {}
        for op in operations:
            fields = _endpoint_fields(op)
            old = existing.pop(op.name, None)
            if old is None:
                added.append(
                    {
                        "id": record_id("ep"),
                        "collection_id": coll["id"],
                        "workspace_id": coll["workspace_id"],
                        "created_at": now,
                        "updated_at": now,
                        **fields,
                    }
                )
            else:
                changed[old["id"]] = {**fields, "updated_at": now}
                updated += 1
        self.store.endpoints.update_many(changed)  # one write (TinyDB: one pass, not one each)
        self.store.endpoints.insert_many(added)  # in operation order, one statement
        for gone in existing.values():
            self.delete_endpoint(gone)
        return ImportSummary(len(added), updated, len(existing))

    def upsert_file_spec(self, spec: ApiSpec, slug: str | None, workspace_id: str) -> Record:
        """The collection of a ``--spec`` file: the stored one with its slug is updated."""
        wanted = slug or spec.slug
        with self.store.transaction():
            found = self.store.collections.find(slug=wanted, workspace_id=workspace_id)
            coll = found[0] if found else self._new_collection(spec, wanted, workspace_id)
        if found and self._holds(coll, spec):
            self.mount(coll["id"], spec)
        else:
            self.import_loaded(coll, spec, source=spec.source)
        return coll

    def _holds(self, coll: Record, spec: ApiSpec) -> bool:
        """Whether ``coll`` already stores ``spec``'s document and its endpoints as an
        import would write them: a server restarted on the same file then writes nothing
        (on a TinyDB file, re-importing GitHub's 1,223 operations rewrote the file and
        took ~1.5 s of every start)."""
        if coll.get("spec") != spec.document:
            return False
        stored = {
            e["operation"]: {k: e.get(k) for k in _ENDPOINT_FIELDS}
            for e in self.store.endpoints.find(collection_id=coll["id"])
        }
        return stored == {op.name: _endpoint_fields(op) for op in spec.operations}

    def adopt(self, spec: ApiSpec, slug: str, workspace_id: str) -> Record:
        """Record a collection the engine already serves as ``slug`` (pytest's specs).

        Its document stays with the engine only: the store keeps the collection, its
        endpoints and rules, and a later import replaces the document as usual."""
        with self.store.transaction():
            coll = self._new_collection(spec, slug, workspace_id, exact=True)
            self._sync_endpoints(coll, spec.operations)
        return coll

    def _new_collection(
        self, spec: ApiSpec, slug: str, workspace_id: str, *, exact: bool = False
    ) -> Record:
        now = utc_now()
        description = spec.document.get("info", {}).get("description", "")
        return self.store.collections.insert(
            {
                "id": record_id("coll"),
                "workspace_id": workspace_id,
                "name": spec.title,
                "description": description if isinstance(description, str) else "",
                "slug": slug if exact else self.unique_slug(slug),
                "spec": None,
                "created_at": now,
                "updated_at": now,
            }
        )

    # -- engine --------------------------------------------------------------------------
    def mount(self, coll_id: str, spec: ApiSpec | None = None) -> None:
        """(Re)mount a stored collection under its slug, with its stored rules."""
        coll = self.store.collections.get(coll_id)
        if coll is not None and self.shared is not None:
            # the revision first: a change made while this mount reads is seen next time
            self._seen[coll["slug"]] = self.shared.number(_revision(coll["slug"]))
            coll = self.store.collections.get(coll_id)
        if coll is None or not coll.get("spec"):
            return
        if spec is None:
            spec = self.parse(_document_text(coll["spec"]), coll["slug"])
        mounted = self.engine.mount(spec, coll["slug"], replace=True)
        endpoints = self.store.endpoints.find(collection_id=coll_id)
        kept = {endpoint["operation"] for endpoint in endpoints}
        self.engine.withdraw(mounted.slug, {op.name for op in spec.operations} - kept)
        by_id = {endpoint["id"]: endpoint for endpoint in endpoints}
        rules = self.store.rules.select(Query(within={"endpoint_id": list(by_id)}))
        for rule in rules:
            self.put_rule(rule, coll, by_id[rule["endpoint_id"]])
        self.apply_modes(coll)
        self.engine.reloadable(mounted.slug)

    def load(self, slug: str) -> bool:
        """Mount the stored collection ``slug`` on its first use (lazy serving): True when
        there is one with a document."""
        found = self.store.collections.find(slug=slug)
        if not found or not found[0].get("spec"):
            self.engine.remove(slug)  # deleted (or emptied) by another replica
            if self.shared is not None:
                self._seen[slug] = self.shared.number(_revision(slug))
            return False
        self.mount(found[0]["id"])
        return True

    def apply_modes(self, coll: Record) -> None:
        """Stateful mode, the default delay and CORS handling of a stored collection, made
        live."""
        live = next((c for c in self.engine if c.slug == coll["slug"]), None)
        if live is None:
            return
        stateful = bool(coll.get("stateful"))
        if stateful and live.state is None:
            from pytest_mockamocha.engine.stateful.store import StatefulStore

            state = StatefulStore(live)
            if self.shared is not None:
                state.share(self.shared)
            self.engine.set_state(live.slug, state)
        elif not stateful:
            self.engine.set_state(live.slug, None)
        delay = coll.get("delay")
        if isinstance(delay, list):
            self.engine.set_delay(live.slug, (float(delay[0]), float(delay[1])))
        else:
            self.engine.set_delay(live.slug, (float(delay or 0), None))
        self.engine.set_cors(live.slug, bool(coll.get("cors", True)))

    def save_rule(self, rule: Record, coll: Record, endpoint: Record) -> None:
        """A stored rule created or changed through the API: live here, and on every
        replica at its next request."""
        self.put_rule(rule, coll, endpoint)
        self.changed(coll["slug"])

    def delete_rule(self, rule: Record, coll: Record) -> None:
        """Forget a stored rule (in the store, the engine, and its shared hit count)."""
        self.store.rules.delete(rule["id"])
        self.engine.rules.remove(rule["id"])
        self.engine.rules.forget_hits(rule["id"])
        self.changed(coll["slug"])

    def put_rule(self, rule: Record, coll: Record, endpoint: Record) -> None:
        """Make a stored rule live in the engine (when its collection is mounted)."""
        live = next((c for c in self.engine if c.slug == coll["slug"]), None)
        if live is not None:
            made = engine_rule(rule, live, endpoint["operation"])
            if made is not None:
                self.engine.rules.put(made)

    def unmount(self, coll: Record) -> None:
        """Stop serving a collection (and forget its live rules)."""
        self.engine.remove(coll["slug"])

    def restore(self, *, compiled: int | None = None) -> list[str]:
        """Serve the stored collections; the slugs mounted now. An import still
        ``processing`` was cut short by the server stopping: it is marked failed.

        With ``compiled``, nothing is compiled here: each collection is mounted on its
        first use and at most ``compiled`` stay so, so a restart reads metadata only and
        memory does not grow with what is stored. Without it, every one is mounted now."""
        for unfinished in self.store.imports.find(status="processing"):
            self.fail_import(
                unfinished,
                "Import failed: the server stopped before it finished; import the document again",
                [],
            )
        if compiled is not None:
            self.lazy = True
            self.engine.serve_lazily(self.load, compiled, self.stale if self.shared else None)
            return []
        mounted = []
        for coll in self.store.collections.select(Query(omit=HEAVY["collections"])):
            if self.load(coll["slug"]):
                mounted.append(coll["slug"])
        return mounted

    # -- deletions -----------------------------------------------------------------------
    def delete_endpoint(self, endpoint: Record) -> None:
        """Forget an endpoint and its rules (in the store and the engine)."""
        for rule in self.store.rules.find(endpoint_id=endpoint["id"]):
            self.engine.rules.remove(rule["id"])
            self.engine.rules.forget_hits(rule["id"])
        self.store.rules.delete_where(endpoint_id=endpoint["id"])
        self.store.endpoints.delete(endpoint["id"])
        coll = self.store.collections.get(endpoint["collection_id"])
        if coll is not None:
            self.changed(coll["slug"])
            with contextlib.suppress(LookupError):  # not mounted: nothing serves it
                self.engine.withdraw(coll["slug"], [endpoint["operation"]])

    def delete_collection(self, coll: Record) -> None:
        """Forget a collection, its endpoints and rules, and stop serving it."""
        with self.store.transaction():
            for endpoint in self.store.endpoints.find(collection_id=coll["id"]):
                self.delete_endpoint(endpoint)
            self.store.collections.delete(coll["id"])
        self.changed(coll["slug"])
        self.unmount(coll)


def _revision(slug: str) -> str:
    return f"revision:{slug}"


def spec_text(value: Any) -> str | bytes:
    """The ``spec`` of an import request (an object or YAML/JSON text) as text."""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, str):
        return value
    raise ApiError(
        422, "the request body is not valid", ['Field "spec" must be an object or a string']
    )


#: what an endpoint record takes from its operation
_ENDPOINT_FIELDS = ("method", "path", "operation", "name", "operation_id")


def _endpoint_fields(op: Operation) -> dict[str, Any]:
    """The fields of ``op``'s endpoint record that come from the document."""
    return {
        "method": op.method,
        "path": op.path,
        "operation": op.name,
        "name": op.summary or op.operation_id or op.name,
        "operation_id": op.operation_id,
    }


def _document_text(document: Any) -> bytes:
    """A stored document as JSON text to load again (its compiled form is cached by these
    bytes): orjson, ~15 ms for GitHub's document where ``json`` took ~150 ms; an integer
    beyond 64 bits takes the ``json`` way."""
    try:
        return orjson.dumps(document)
    except orjson.JSONEncodeError:
        return json.dumps(document).encode()


def _stored_copy(document: Any) -> Any:
    """A JSON-clean copy of a document to store, apart from the one the engine serves.
    orjson takes ~20 ms where ``json`` took ~0.3 s on GitHub's 7 MB document; an integer
    beyond 64 bits, which orjson refuses, takes the ``json`` way."""
    try:
        return orjson.loads(orjson.dumps(document, default=str))
    except (orjson.JSONEncodeError, TypeError):
        return json.loads(json.dumps(document, default=str))
