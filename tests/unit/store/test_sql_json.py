"""A SQLite store keeps each record's JSON as ``json`` writes it: orjson writes most rows
(faster), and whatever it would write differently is written by ``json``."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pytest_mockamocha.store import open_store_url

ODD: dict[str, Any] = {
    "nan": {"x": [1, float("nan")]},
    "infinity": {"x": float("inf"), "y": -float("inf")},
    "none": {"x": None, "y": [None]},
    "big_int": {"x": 2**70},
    "int_keys": {"x": {1: "one", 2.5: "two and a half", None: "nothing"}},
    "word_null": {"x": "a:null,b [null", "nullable": True},
    "plain": {"x": 'héllo \u2028 "quoted" \\ \n', "y": [1, 2.5, 1e16, True, {"z": []}]},
}


def _same(got: Any, wanted: Any) -> bool:
    """Equal, NaN equal to NaN."""
    if isinstance(wanted, float) and math.isnan(wanted):
        return isinstance(got, float) and math.isnan(got)
    if isinstance(wanted, dict):
        return got.keys() == wanted.keys() and all(_same(got[k], wanted[k]) for k in wanted)
    if isinstance(wanted, list):
        return len(got) == len(wanted) and all(map(_same, got, wanted))
    return bool(got == wanted) and type(got) is type(wanted)


@pytest.mark.parametrize("name", ODD)
def test_a_record_reads_back_as_json_round_trips_it(tmp_path: Path, name: str) -> None:
    store = open_store_url(f"sqlite:///{tmp_path}/db.sqlite")
    record = {"id": f"coll_{name}", "name": name, "workspace_id": "ws_1", **ODD[name]}
    store.collections.insert(record)
    got = store.collections.get(record["id"])
    store.close()
    wanted = json.loads(json.dumps(record))
    assert _same(got, wanted), (got, wanted)
    with sqlite3.connect(tmp_path / "db.sqlite") as conn:
        (text,) = conn.execute("SELECT data FROM collections").fetchone()
    conn.close()
    assert text == json.dumps(record, ensure_ascii=False, separators=(",", ":"))
