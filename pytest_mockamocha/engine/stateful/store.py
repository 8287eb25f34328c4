"""Stateful mode: collection/item path pairs answered from a store of records.

Each resource (see ``resources.py``) gets ``size`` records generated from its item schema
the first time it is touched, deterministic from the seed (and, for nested resources, the
parent's path values, which keep records apart). Then GET lists (paging and equality
filters the operation declares) and reads, POST adds (the body over a generated item, the
id assigned by the store), PUT replaces, PATCH merges (JSON merge-patch), DELETE removes;
an unknown id answers the operation's 404. Every answer is checked against the schema it
is sent under: one that cannot fit falls back to the normal answer (``None``), with a note
in ``notes``.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import random
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_mockamocha.engine.collection import Collection
from pytest_mockamocha.engine.exchange import MockRequest, MockResponse
from pytest_mockamocha.engine.media import concrete_type, encode, is_json, negotiate, with_charset
from pytest_mockamocha.engine.respond.datasets import OFFSET_NAMES, PAGE_NAMES, SIZE_NAMES, page_of
from pytest_mockamocha.engine.respond.responder import NotAcceptable
from pytest_mockamocha.engine.stateful.resources import (
    TOTAL_NAMES,
    Resource,
    find_resources,
    flagged,
    list_shape,
    object_properties,
    restrict,
)
from pytest_mockamocha.errors import StatefulError
from pytest_mockamocha.generate import GenerationError
from pytest_mockamocha.generate.records import records
from pytest_mockamocha.spec.loader import deref
from pytest_mockamocha.spec.model import Operation
from pytest_mockamocha.store.base import Shared

SOURCE = "state"
#: draws of a string id before giving up on a unique one
_ID_DRAWS = 32
_NOTES = 100
#: attempts at a change when other replicas keep changing the same records
_SWAPS = 50
_PAGING = frozenset((*PAGE_NAMES, *SIZE_NAMES, *OFFSET_NAMES))


@dataclass
class _Bucket:
    """The records of one resource (under one set of parent values), by id key."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: items created so far: seeds the generated fields of the next one
    created: int = 0


class StatefulStore:
    """A ``ResourceState`` for one collection: records per resource, changed by requests."""

    def __init__(
        self, collection: Collection, resources: Iterable[str] | None = None, *, size: int = 3
    ) -> None:
        """collection: the collection served; resources: the collection (or item) paths to
        keep state for (all pairs when None); size: the records seeded per resource."""
        if isinstance(resources, str):
            resources = [resources]
        if size < 0:
            raise StatefulError(f"size must be 0 or more, not {size}")
        self.collection = collection
        self.size = size
        found = find_resources(collection.spec)
        try:
            chosen = found if resources is None else restrict(found, resources)
        except ValueError as exc:
            raise StatefulError(f"collection {collection.slug!r}: {exc}") from None
        #: the resources kept, in path order
        self.resources: tuple[Resource, ...] = tuple(chosen)
        self._by_path: dict[str, Resource] = {}
        for resource in self.resources:
            self._by_path.setdefault(resource.item_path, resource)
            self._by_path.setdefault(resource.path, resource)
        self._buckets: dict[tuple[str, tuple[str, ...]], _Bucket] = {}
        self._lock = threading.RLock()
        #: why answers fell back to the normal pipeline (the latest last)
        self.notes: deque[str] = deque(maxlen=_NOTES)
        #: replicas: the records live in the shared store, as one JSON document
        self.shared: Shared | None = None
        self._key = f"stateful:{collection.slug}"

    def share(self, shared: Shared) -> None:
        """Keep the records in ``shared`` so every replica of a server answers from the same
        ones: each request reads them, and a change is written only if no other replica
        changed them meanwhile (else the request is answered again on the newer records)."""
        self.shared = shared

    # -- the ResourceState protocol ---------------------------------------------------
    def reset(self) -> None:
        """Forget every record: each resource is seeded again when next touched."""
        with self._lock:
            self._buckets.clear()
            if self.shared is not None:
                self.shared.set_text(self._key, None)

    def answer(
        self,
        op: Operation,
        path_params: Mapping[str, str],
        request: MockRequest,
        *,
        accept: str | None,
        seed: int,
        material: str,
    ) -> MockResponse | None:
        """The answer of a CRUD operation, None for one the store does not serve."""
        resource = self._by_path.get(op.path)
        if resource is None:
            return None
        item = op.path == resource.item_path
        if (op.method, item) not in _SERVED:
            return None
        body: Any = None
        if op.method in ("POST", "PUT", "PATCH"):
            body = _json_body(request)
            if not isinstance(body, dict):
                return None
        call = _Call(self, resource, op, path_params, request, accept, seed, material)
        with self._lock:
            if self.shared is None:
                return self._answer(call, resource, item, op, path_params, body)
            for _ in range(_SWAPS):
                before = self.shared.text(self._key)
                self._buckets = _loads(before)
                answer = self._answer(call, resource, item, op, path_params, body)
                after = _dumps(self._buckets)
                if after == (before or _dumps({})) or self.shared.swap(self._key, before, after):
                    return answer
            raise StatefulError(f"collection {self.collection.slug!r}: too many concurrent changes")

    def _answer(
        self,
        call: _Call,
        resource: Resource,
        item: bool,
        op: Operation,
        path_params: Mapping[str, str],
        body: Any,
    ) -> MockResponse | None:
        """``answer`` on the records in memory (under the lock)."""
        bucket = call.bucket()
        if bucket is None:
            return None
        if not item:
            return call.create(bucket, body) if op.method == "POST" else call.listing(bucket)
        key = call.key(path_params.get(resource.param, ""))
        record = bucket.records.get(key) if key is not None else None
        if record is None:
            return call.not_found()
        if op.method == "GET":
            return call.read(record)
        if op.method == "DELETE":
            return call.delete(bucket, key or "", record)
        return call.update(bucket, key or "", record, body)

    # -- records ------------------------------------------------------------------------
    def records(self, path: str, **parents: str) -> list[dict[str, Any]]:
        """A copy of the records of the resource at ``path`` (collection or item path) under
        the parent values given, named as in the path (``ownerId="..."``); empty until a
        request has touched them."""
        resource = self._by_path.get(path)
        if resource is None:
            raise StatefulError(f"no stateful resource at {path!r}")
        with self._lock:
            if self.shared is not None:
                self._buckets = _loads(self.shared.text(self._key))
            bucket = self._buckets.get((resource.item_path, _scope(resource, parents)))
            return copy.deepcopy(list(bucket.records.values())) if bucket else []

    def note(self, text: str) -> None:
        """Remember why an answer fell back (each reason once in a row)."""
        if not self.notes or self.notes[-1] != text:
            self.notes.append(text)


def _dumps(buckets: Mapping[tuple[str, tuple[str, ...]], _Bucket]) -> str:
    """The records as the shared store keeps them, in their order (equal records, equal
    text: an answer that changed nothing writes nothing)."""
    rows = [[path, list(scope), b.records, b.created] for (path, scope), b in buckets.items()]
    return json.dumps(sorted(rows, key=lambda r: (r[0], r[1])), default=str)


def _loads(text: str | None) -> dict[tuple[str, tuple[str, ...]], _Bucket]:
    if not text:
        return {}
    return {
        (p, tuple(scope)): _Bucket(records, created)
        for p, scope, records, created in json.loads(text)
    }


_SERVED = frozenset(
    (
        ("GET", False),
        ("POST", False),
        ("GET", True),
        ("PUT", True),
        ("PATCH", True),
        ("DELETE", True),
    )
)


class _Call:
    """One request to one resource: everything an answer needs, computed under the lock."""

    def __init__(
        self,
        store: StatefulStore,
        resource: Resource,
        op: Operation,
        path_params: Mapping[str, str],
        request: MockRequest,
        accept: str | None,
        seed: int,
        material: str,
    ) -> None:
        self.store = store
        self.resource = resource
        self.op = op
        self.path_params = path_params
        self.request = request
        self.accept = accept
        self.seed = seed
        self.material = material
        self.responder = store.collection.responder
        self.generator = self.responder.generator
        self.document = store.collection.spec.document
        self.scope = _scope(resource, path_params)

    # -- seeding and ids ----------------------------------------------------------------
    def bucket(self) -> _Bucket | None:
        """The records of this resource and scope, seeded on first touch."""
        where = (self.resource.item_path, self.scope)
        found = self.store._buckets.get(where)
        if found is not None:
            return found
        made = _Bucket()
        try:
            seeded = records(
                self.generator,
                self.resource.item_schema,
                self.store.size,
                _digest(f"{self.seed}|seed|{self.resource.item_path}|{self.scope}"),
            )
        except GenerationError as exc:
            self.store.note(f"{self.resource.path}: cannot seed records: {exc}")
            return None
        rng = self._rng("ids", request=False)
        for value in seeded:
            if not isinstance(value, dict):
                self.store.note(f"{self.resource.path}: the item schema makes no objects")
                return None
            self._set_parents(value)
            self._fill_read_only(value, rng, check=True)
            key = self.key(value.get(self.resource.id_field))
            if key is None or key in made.records:
                new = self._new_id(made, rng)
                if new is None:
                    return None
                value[self.resource.id_field] = new
                key = self.key(new)
            made.records[key or ""] = value
        self.store._buckets[where] = made
        return made

    def key(self, value: Any) -> str | None:
        """The id as a dictionary key (integer ids compare as numbers); None for no id."""
        if value is None or isinstance(value, (bool, dict, list)):
            return None
        if self.resource.integer_ids:
            try:
                return str(int(value))
            except (TypeError, ValueError):
                return None
        return str(value)

    def _new_id(self, bucket: _Bucket, rng: random.Random) -> Any | None:
        """An unused id valid for the id schema: the largest integer plus one, or a
        string drawn from the id's schema (uuid, pattern, ...)."""
        schema = self.resource.id_schema
        if self.resource.integer_ids:
            used = [int(k) for k in bucket.records]
            low = schema.get("minimum", 1) if isinstance(schema, Mapping) else 1
            start = max(used) + 1 if used else max(int(low), 1)
            if self.generator.is_valid(schema, start):
                return start
        for _ in range(_ID_DRAWS):
            try:
                value = self.generator.generate(schema, rng)
            except GenerationError:
                break
            key = self.key(value)
            if key is not None and key not in bucket.records:
                return value
        self.store.note(f"{self.resource.path}: no unused id fits {self.resource.id_field}")
        return None

    def _fill_read_only(
        self, record: dict[str, Any], rng: random.Random, *, check: bool = False
    ) -> None:
        """Generate the readOnly properties (``createdAt``, ...) the record lacks; with
        ``check``, only when the record stays valid."""
        props = self.resource.properties
        missing = sorted(flagged(self.document, props, "readOnly") - record.keys())
        if not missing:
            return
        before = dict(record) if check else None
        for name in missing:
            try:
                record[name] = self.generator.generate(props[name], rng)
            except GenerationError:
                continue
        if before is not None and not self.generator.is_valid(self.resource.item_schema, record):
            record.clear()
            record.update(before)

    def _set_parents(self, record: dict[str, Any]) -> None:
        """Give the record its parents' ids where it has properties named like them."""
        props = self.resource.properties
        for name in self.resource.parents:
            raw = self.path_params.get(name)
            if raw is None or name not in props or name == self.resource.id_field:
                continue
            schema = deref(self.document, props[name])
            for value in _typed(raw):
                if self.generator.is_valid(schema, value):
                    record[name] = value
                    break

    # -- answers ------------------------------------------------------------------------
    def listing(self, bucket: _Bucket) -> MockResponse | None:
        media, schema, node = self._content(self.op.success_status())
        if media is None:
            return None
        shape = list_shape(self.document, schema, self.resource.item_schema)
        if shape is None:
            self.store.note(f"{self.op.name}: the answer holds no list of records")
            return None
        prop, array = shape
        chosen = self._filtered(list(bucket.records.values()))
        page = page_of(self.op, chosen, self.request.query)
        most = array.get("maxItems") if isinstance(array, Mapping) else None
        if isinstance(most, int):
            page = page[:most]
        value: Any = copy.deepcopy(page)
        if prop is not None:
            wrapper = self._generated(schema, "list")
            if not isinstance(wrapper, dict):
                return None
            wrapper[prop] = value
            self._fill_counts(wrapper, schema, len(chosen), 0)
            value = wrapper
        return self._send(self.op.success_status(), media, schema, node, value, total=len(chosen))

    def create(self, bucket: _Bucket, body: dict[str, Any]) -> MockResponse | None:
        rng = self._rng(f"create|{bucket.created}", request=False)
        try:
            base = self.generator.generate(self.resource.item_schema, rng)
        except GenerationError as exc:
            self.store.note(f"{self.op.name}: cannot generate an item: {exc}")
            return None
        if not isinstance(base, dict):
            return None
        new = self._new_id(bucket, rng)
        if new is None:
            return None
        candidate = {**base, **copy.deepcopy(body)}
        candidate[self.resource.id_field] = new
        self._set_parents(candidate)
        self._fill_read_only(candidate, rng)
        record = self._fit(candidate)
        if record is None:
            return None
        key = self.op.success_status()
        location = self._location(new)
        answer = self._item_answer(key, record, location=location)
        if answer is None:
            return None
        bucket.records[self.key(new) or ""] = record
        bucket.created += 1
        return answer

    def read(self, record: dict[str, Any]) -> MockResponse | None:
        return self._item_answer(self.op.success_status(), record)

    def update(
        self, bucket: _Bucket, key: str, old: dict[str, Any], body: dict[str, Any]
    ) -> MockResponse | None:
        keep = {self.resource.id_field: old.get(self.resource.id_field)}
        if self.op.method == "PATCH":
            merged = merge_patch(old, body)
            candidates = [{**merged, **keep}]
        else:
            fixed = flagged(self.document, self.resource.properties, "readOnly")
            kept = {k: v for k, v in old.items() if k in fixed}
            candidates = [{**kept, **copy.deepcopy(body), **keep}, {**old, **body, **keep}]
        record = None
        rng = self._rng(f"update|{key}")
        for candidate in candidates:
            self._set_parents(candidate)
            self._fill_read_only(candidate, rng)
            record = self._fit(candidate)
            if record is not None:
                break
        if record is None:
            return None
        answer = self._item_answer(self.op.success_status(), record)
        if answer is not None:
            bucket.records[key] = record
        return answer

    def delete(self, bucket: _Bucket, key: str, record: dict[str, Any]) -> MockResponse | None:
        status_key = self.op.success_status()
        answer = self._item_answer(status_key, record)
        if answer is None and status_key is not None and self._content(status_key)[0]:
            # the answer's body is not the record (a message, say): generate it, delete anyway
            answer = self._build(status_key, self.op.status_int(status_key), self.accept)
            answer.source = SOURCE
        if answer is not None:
            del bucket.records[key]
        return answer

    def not_found(self) -> MockResponse:
        """The operation's own 404 (its example or generated), else a problem+json 404."""
        missing = self.op.declared_key(404)
        wanted = self.path_params.get(self.resource.param, "")
        if missing is None:
            response = self.responder.problem(
                404,
                "Not Found",
                f"{self.op.name}: no record with {self.resource.id_field} {wanted!r}",
            )
        else:
            try:
                response = self._build(missing, 404, self.accept)
            except NotAcceptable:
                response = self._build(missing, 404, None)
        response.source = SOURCE
        return response

    # -- building blocks --------------------------------------------------------------
    def _item_answer(
        self, status_key: str | None, record: dict[str, Any], *, location: str | None = None
    ) -> MockResponse | None:
        """``record`` as the answer of ``status_key``: the item itself, or wrapped in the
        object the answer declares; an answer without a body has only its status."""
        if status_key is None:
            return MockResponse(204, source=SOURCE)
        media, schema, node = self._content(status_key)
        if media is None:
            if self._has_content(status_key):
                return None  # a non-JSON answer was negotiated: the normal pipeline's job
            response = self.responder.deref(self.op.responses.get(status_key))
            headers = self._headers(response, location=location)
            return MockResponse(self.op.status_int(status_key), b"", None, headers, source=SOURCE)
        value: Any = copy.deepcopy(record)
        if schema is not None and not self.generator.is_valid(schema, value):
            value = self._wrapped(schema, value)  # checked whole when wrapped
            if value is None:
                self.store.note(f"{self.op.name}: the record does not fit the answer's schema")
                return None
        return self._send(status_key, media, schema, node, value, location=location, checked=True)

    def _wrapped(self, schema: Any, record: dict[str, Any]) -> Any | None:
        """A generated answer with ``record`` put in the property whose schema takes it."""
        wrapper = self._generated(schema, "wrap")
        if not isinstance(wrapper, dict):
            return None
        for name, prop in object_properties(self.document, schema).items():
            if self.generator.is_valid(prop, record):
                wrapper[name] = record
                if self.generator.is_valid(schema, wrapper):
                    return wrapper
                break
        return None

    def _send(
        self,
        status_key: str | None,
        media: str,
        schema: Any,
        node: Any,
        value: Any,
        *,
        total: int | None = None,
        location: str | None = None,
        checked: bool = False,
    ) -> MockResponse | None:
        """The answer carrying ``value``, after checking it fits (unless ``checked``)."""
        if not checked and schema is not None and not self.generator.is_valid(schema, value):
            self.store.note(f"{self.op.name}: the stored records do not fit the answer's schema")
            return None
        response = self.responder.deref(self.op.responses.get(status_key or ""))
        headers = self._headers(response, total=total, location=location)
        return MockResponse(
            self.op.status_int(status_key or "200"),
            encode(value, media),
            with_charset(concrete_type(media, value)),
            headers,
            source=SOURCE,
        )

    def _content(self, status_key: str | None) -> tuple[str | None, Any, Any]:
        """``(media, schema, media node)`` negotiated for ``status_key``; media None when
        the answer has no body or the client wants a non-JSON one."""
        response = self.responder.deref(self.op.responses.get(status_key or ""))
        content = response.get("content") if isinstance(response, Mapping) else None
        if not isinstance(content, Mapping) or not content:
            return None, None, None
        media = negotiate(content, self.accept)
        if media is None:
            raise NotAcceptable(list(content))
        if not is_json(media) or "*" in media:
            return None, None, None
        node = self.responder.deref(content[media])
        schema = node.get("schema") if isinstance(node, Mapping) else None
        return media, self.responder.deref(schema), node

    def _has_content(self, status_key: str | None) -> bool:
        response = self.responder.deref(self.op.responses.get(status_key or ""))
        return isinstance(response, Mapping) and bool(response.get("content"))

    def _headers(
        self, response: Any, *, total: int | None = None, location: str | None = None
    ) -> list[tuple[str, str]]:
        """The declared headers: totals and ``Location`` from the store, others from their
        example or schema; each value checked against its schema."""
        declared = response.get("headers") if isinstance(response, Mapping) else None
        out: list[tuple[str, str]] = []
        rng = self._rng("headers")
        for name, raw in (declared or {}).items():
            header = self.responder.deref(raw)
            lower = name.lower()
            if lower == "content-type" or not isinstance(header, Mapping):
                continue
            schema = self.responder.deref(header.get("schema"))
            ours: Any = None
            if lower == "location":
                ours = location
            elif total is not None and ("total" in lower or lower.endswith("count")):
                ours = total
            value: Any = None
            for option in (ours, header.get("example")):
                if option is not None and (
                    schema is None or self.generator.is_valid(schema, option)
                ):
                    value = option
                    break
            if value is None and schema is not None:
                try:
                    value = self.generator.generate(schema, rng)
                except GenerationError:
                    continue
            if value is not None:
                out.append((name, _header_text(value)))
        return out

    def _build(self, key: str, status: int, accept: str | None) -> MockResponse:
        return self.responder.build(
            self.op, key, status, accept=accept, seed=self.seed, material=self.material
        )

    def _fit(self, candidate: dict[str, Any]) -> dict[str, Any] | None:
        """``candidate`` as a valid record: as is, else without writeOnly properties, else
        also without properties the item schema does not declare."""
        schema, props = self.resource.item_schema, self.resource.properties
        if self.generator.is_valid(schema, candidate):
            return candidate
        hidden = flagged(self.document, props, "writeOnly")
        trimmed = {k: v for k, v in candidate.items() if k not in hidden}
        if self.generator.is_valid(schema, trimmed):
            return trimmed
        trimmed = {k: v for k, v in trimmed.items() if k in props}
        if self.generator.is_valid(schema, trimmed):
            return trimmed
        problems = self.generator.errors(schema, trimmed, direction="response")
        why = "; ".join(f"{where or '/'}: {message}" for where, message in problems[:3])
        self.store.note(f"{self.op.name}: the record would not fit the item schema: {why}")
        return None

    def _filtered(self, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The records equal to every declared filter parameter the request carries."""
        query = self.request.query
        for param in self.op.params_in("query"):
            name = param.name
            if name in _PAGING or name not in self.resource.properties or name not in query:
                continue
            wanted = query.getlist(name)
            found = [r for r in found if _matches(r.get(name), wanted)]
        return found

    def _fill_counts(self, wrapper: dict[str, Any], schema: Any, total: int, depth: int) -> None:
        """Set the wrapper's total-like integers (one object level deep too) and its page
        fields to what was asked."""
        query = self.request.query
        declared = {p.name for p in self.op.params_in("query")}
        for name, raw in object_properties(self.document, schema).items():
            prop = deref(self.document, raw)
            value: Any = None
            if name in TOTAL_NAMES:
                value = total
            elif name in _PAGING and name in declared and name in query:
                value = next(iter(_typed(query[name])), None)
            elif name in PAGE_NAMES:
                value = 1
            elif name in OFFSET_NAMES:
                value = 0
            elif depth == 0 and isinstance(wrapper.get(name), dict):
                self._fill_counts(wrapper[name], prop, total, depth + 1)
                continue
            if value is not None and self.generator.is_valid(prop, value):
                wrapper[name] = value

    def _generated(self, schema: Any, purpose: str) -> Any:
        try:
            return self.generator.generate(schema, self._rng(purpose))
        except GenerationError as exc:
            self.store.note(f"{self.op.name}: cannot generate the answer: {exc}")
            return None

    def _location(self, new_id: Any) -> str:
        """The created item's URL relative to the request's (``pets/4`` for ``/pets``)."""
        path = self.request.path
        if path.endswith("/"):
            return str(new_id)
        return f"{path.rsplit('/', 1)[-1]}/{new_id}"

    def _rng(self, purpose: str, *, request: bool = True) -> random.Random:
        """A random source for ``purpose``, the same for the same seed (and request)."""
        material = self.material if request else ""
        where = f"{self.resource.item_path}|{self.scope}"
        return random.Random(_digest(f"{self.seed}|{where}|{purpose}|{material}"))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge-patch: objects merge, ``null`` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = merge_patch(merged.get(name), value)
    return merged


def _json_body(request: MockRequest) -> Any:
    """The request's JSON body, None when it is absent or not JSON."""
    ctype = request.content_type
    if not request.body or not is_json(ctype) or "*" in ctype:
        return None
    try:
        return json.loads(request.body)
    except ValueError:
        return None


def _scope(resource: Resource, values: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(str(values.get(name, "")) for name in resource.parents)


def _typed(raw: str) -> list[Any]:
    """The values a path or query string may stand for: integer, number, boolean, itself."""
    found: list[Any] = []
    try:
        found.append(int(raw))
    except ValueError:
        with contextlib.suppress(ValueError):
            found.append(float(raw))
    if raw in ("true", "false"):
        found.append(raw == "true")
    found.append(raw)
    return found


def _matches(value: Any, wanted: list[str]) -> bool:
    """Whether a record's value equals one of the query's strings."""
    if isinstance(value, list):
        return any(_matches(v, wanted) for v in value)
    if isinstance(value, bool):
        return ("true" if value else "false") in wanted
    if isinstance(value, (int, float)):
        for text in wanted:
            try:
                if float(text) == value:
                    return True
            except ValueError:
                continue
        return False
    if value is None:
        return "null" in wanted
    return str(value) in wanted


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_header_text(v) for v in value)
    return "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in str(value))[:1000]


def _digest(material: str) -> int:
    return int.from_bytes(hashlib.blake2b(material.encode(), digest_size=8).digest(), "big")
