"""Combine the JSON reports of several runs (CI shards, xdist runs) into one.

A report keeps every count its model is computed from, so ``summaries_of`` turns it back
into per-collection summaries, ``coverage.merge`` adds those up as it does for xdist
workers, and ``coverage.report`` computes the combined model: each count is the one a
single run of the whole suite gives. Test rows are added up by node id (a test runs in
one shard). Every shard must have served each collection from the same document (the
hash its report records); seeds and other settings may differ, and the report says so.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_mockamocha.analytics.coverage import REPORT_VERSION, Summaries, merge, report
from pytest_mockamocha.analytics.reports.jsonfile import load
from pytest_mockamocha.errors import ReportError

Model = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Shard:
    """One saved report: the name messages give it, its model, a digest of its bytes."""

    source: str
    model: Model
    digest: str


def read_shard(path: Path) -> Shard:
    """The report saved at ``path``; ``ReportError`` naming it when it cannot be used."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReportError(exc.strerror or str(exc), source=str(path)) from None
    model = load(raw, str(path))
    if model["version"] != REPORT_VERSION:
        raise ReportError(
            f"report version {model['version']} records no document hash, so it cannot be "
            f"combined; re-run the shard with this release (report version {REPORT_VERSION})",
            source=str(path),
        )
    return Shard(str(path), model, hashlib.sha256(raw).hexdigest())


def shard_paths(given: Iterable[Path]) -> list[Path]:
    """The report files named: files as given, folders for every ``*.json`` below them
    (an artifact download makes a folder per shard), in a stable order."""
    found: list[Path] = []
    for path in given:
        found.extend(sorted(path.rglob("*.json")) if path.is_dir() else [path])
    return found


def combine_files(paths: Iterable[Path]) -> tuple[dict[str, Any], list[ReportError]]:
    """The combined model of the reports at ``paths`` (files, or folders of them), and
    the errors of those that could not be read; ``ReportError`` as ``combine`` raises.

    Reports are read one at a time, each dropped once counted, so memory stays that of
    one report. The cyclic garbage collector is paused meanwhile: its passes over the
    many small objects of a parsed report doubled the time."""
    unreadable: list[ReportError] = []

    def readable() -> Iterator[Shard]:
        for path in shard_paths(paths):
            try:
                yield read_shard(path)
            except ReportError as exc:
                unreadable.append(exc)

    enabled = gc.isenabled()
    gc.disable()
    try:
        return combine(readable(), unreadable), unreadable
    finally:
        if enabled:
            gc.enable()


def combine(shards: Iterable[Shard], unreadable: Sequence[ReportError] = ()) -> dict[str, Any]:
    """One report model counting every shard, taken one at a time; ``unreadable`` shards
    (as filled by the time ``shards`` is consumed) are named in its notes. ``ReportError``
    when there is nothing to combine, or a collection was served from different
    documents."""
    combiner = _Combiner()
    merged = merge(combiner.add(shard) for shard in shards)
    if not combiner.count:
        if unreadable:
            raise ReportError("no report could be read: " + "; ".join(map(str, unreadable)))
        raise ReportError("no report to combine")
    model = report(merged, combiner.run())
    model["tests"] = [combiner.tests[k] for k in sorted(combiner.tests)]
    model["run"]["notes"].extend(
        f"{e.source} could not be read ({e.reason}): its counts are missing" for e in unreadable
    )
    return model


class _Combiner:
    """What combining keeps of each shard once its counts are merged: the document of
    each collection, test rows, run settings, and what would be counted twice."""

    def __init__(self) -> None:
        self.count = 0
        self.documents: dict[str, tuple[str, str]] = {}  # slug: (hash, the shard that had it)
        self.tests: dict[str, dict[str, Any]] = {}
        self.repeated: list[str] = []
        self.digests: dict[str, str] = {}  # digest: the first shard with those bytes
        self.twins: list[str] = []
        self.shards = 0
        self.settings: dict[str, list[Any]] = {}
        self.notes: list[str] = []

    def add(self, shard: Shard) -> Summaries:
        """Check and note ``shard``; its summaries, to be merged."""
        self.count += 1
        known = set(self.documents)  # collections whose declared operations are merged
        self._same_documents(shard)
        twin = self.digests.setdefault(shard.digest, shard.source)
        if twin != shard.source:
            self.twins.append(f"{shard.source} is the same report as {twin}: counted twice")
        for test in shard.model["tests"]:
            self._add_test(test)
        run = shard.model["run"]
        self.shards += run["shards"]
        self.notes.extend(n for n in run["notes"] if n not in self.notes)
        for key, values in run["settings"].items():
            seen = self.settings.setdefault(key, [])
            seen.extend(v for v in values if v not in seen)
        return summaries_of(shard.model, declared=known)

    def _same_documents(self, shard: Shard) -> None:
        for coll in shard.model["collections"]:
            slug, digest = coll["slug"], coll["document_hash"]
            seen, where = self.documents.setdefault(slug, (digest, shard.source))
            if seen != digest:
                raise ReportError(
                    f"collection {slug!r} was served from another document than in {where} "
                    f"(document {digest[:12]} here, {seen[:12]} there); combine the reports "
                    "of one version of each document",
                    source=shard.source,
                )

    def _add_test(self, test: Mapping[str, Any]) -> None:
        mine = self.tests.get(test["nodeid"])
        if mine is None:
            self.tests[test["nodeid"]] = {
                "nodeid": test["nodeid"],
                "requests": test["requests"],
                "operations": [dict(o) for o in test["operations"]],
                "statuses": dict(test["statuses"]),
                "violations": list(test["violations"]),
            }
            return
        self.repeated.append(test["nodeid"])
        mine["requests"] += test["requests"]
        counted = {(o["collection"], o["operation"]): o for o in mine["operations"]}
        for o in test["operations"]:
            key = (o["collection"], o["operation"])
            if key in counted:
                counted[key]["count"] += o["count"]
            else:
                mine["operations"].append(dict(o))
        for status, n in test["statuses"].items():
            mine["statuses"][status] = mine["statuses"].get(status, 0) + n
        mine["statuses"] = dict(sorted(mine["statuses"].items()))
        mine["violations"].extend(test["violations"])

    def run(self) -> dict[str, Any]:
        """The runs counted: how many, each setting's values, and what to know."""
        notes = list(self.notes)
        for key, values in self.settings.items():
            note = f"the shards ran with different {key}: {', '.join(map(_shown, values))}"
            if len(values) > 1 and note not in notes:
                notes.append(note)
        notes.extend(self.twins)
        if self.repeated:
            more = f" and {len(self.repeated) - 1} more" if len(self.repeated) > 1 else ""
            notes.append(
                f"{self.repeated[0]}{more} ran in more than one shard: each run is counted "
                "(is the suite split so that every test runs once?)"
            )
        return {"shards": self.shards, "settings": self.settings, "notes": notes}


def summaries_of(model: Model, declared: Collection[str] = ()) -> Summaries:
    """The per-collection summaries a report was computed from (test rows apart); the
    declared operations of collections in ``declared`` are left out (``merge`` takes them
    from the first summary of each collection, and the documents are the same)."""
    return {
        coll["slug"]: _summary(coll, coll["slug"] not in declared) for coll in model["collections"]
    }


def _summary(coll: Model, declared: bool) -> dict[str, Any]:
    ops = coll["operation_list"]
    return {
        "title": coll["title"],
        "document_hash": coll["document_hash"],
        "declared": len(ops),
        "requests": coll["requests"],
        "violations": coll["violations"],
        "unmatched": coll["unmatched"],
        "covered": sorted(o["name"] for o in ops if o["valid_hits"]),
        "problems": list(coll["problems"]),
        "warnings": list(coll["warnings"]),
        "operations": [
            {
                "name": o["name"],
                "operation_id": o["operation_id"],
                "deprecated": o["deprecated"],
                "statuses": list(o["declared_statuses"]),
                "params": list(o["params_declared"]),
            }
            for o in (ops if declared else ())
        ],
        "hits": {o["name"]: o["hits"] for o in ops if o["hits"]},
        "valid": {o["name"]: o["valid_hits"] for o in ops if o["valid_hits"]},
        "time_us": {o["name"]: o["time_us"] for o in ops if o["time_us"]},
        "statuses": {o["name"]: dict(o["statuses"]) for o in ops if o["statuses"]},
        # a report keeps which optional parameters were sent, not how often: once is enough
        "params": {o["name"]: dict.fromkeys(o["params_sent"], 1) for o in ops if o["params_sent"]},
        "tests": {},
    }


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)
