"""Rules through ``/api/endpoints/{id}/rules``: the whole rule model, scenarios, the
contract warnings, and the collection's default delay; all through real HTTP."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests
from conftest import Api  # type: ignore[import-not-found]


def endpoint(admin: Api, coll: dict[str, Any], operation: str) -> dict[str, Any]:
    found = admin.data("GET", "/api/endpoints", params={"collection_id": coll["id"]})
    return next(e for e in found["endpoints"] if e["operation"] == operation)


def mock_get(coll: dict[str, Any], path: str, **kwargs: Any) -> requests.Response:
    return requests.get(coll["mock_url"] + path, timeout=5, **kwargs)


def test_a_sequence_with_a_scenario_is_stored_and_served(
    admin: Api, petstore: dict[str, Any]
) -> None:
    ep = endpoint(admin, petstore, "GET /pets/{petId}")
    rule = admin.data(
        "POST",
        f"/api/endpoints/{ep['id']}/rules",
        201,
        json={
            "match": {"path": {"petId": 7}},
            "scenario": "adoption",
            "next_state": "seen",
            "response": {"status": 404, "times": 1, "headers": {"X-Why": "gone"}},
            "then": [{"json": {"id": 7, "name": "Rex"}}],
        },
    )
    assert rule["then"] == [{"json": {"id": 7, "name": "Rex"}}]
    assert (rule["scenario"], rule["state"], rule["next_state"]) == ("adoption", "started", "seen")
    assert rule["warnings"] == []
    first = mock_get(petstore, "/pets/7")
    assert (first.status_code, first.headers["X-Why"]) == (404, "gone")
    scenarios = admin.data("GET", f"/api/collections/{petstore['id']}/scenarios")
    assert scenarios == {"scenarios": [{"name": "adoption", "state": "seen"}]}
    # in state "seen" the rule (which wants "started") no longer fires: the spec answers
    unruled = mock_get(petstore, "/pets/7")
    assert unruled.status_code == 200
    assert "X-Why" not in unruled.headers
    reset = admin.data("POST", f"/api/collections/{petstore['id']}/reset")
    assert reset == {"scenarios": [{"name": "adoption", "state": "started"}]}
    assert mock_get(petstore, "/pets/7").status_code == 404  # the sequence starts again
    moved = admin.data(
        "PUT",
        f"/api/collections/{petstore['id']}/scenarios/adoption",
        json={"state": "started"},
    )
    assert moved["scenarios"][0]["state"] == "started"
    shown = admin.data("GET", f"/api/endpoints/{ep['id']}/rules/{rule['id']}")
    assert shown["hits"] == 1  # the reset started the count again


def test_a_rule_off_the_contract_is_stored_with_its_warnings(
    admin: Api, petstore: dict[str, Any]
) -> None:
    ep = endpoint(admin, petstore, "GET /pets/{petId}")
    rule = admin.data(
        "POST",
        f"/api/endpoints/{ep['id']}/rules",
        201,
        json={"response": {"status": 200, "json": {"id": "seven", "name": "Rex"}}},
    )
    assert len(rule["warnings"]) == 1
    assert "body.id" in rule["warnings"][0]
    fixed = admin.data(
        "PATCH",
        f"/api/endpoints/{ep['id']}/rules/{rule['id']}",
        json={"response": {"status": 200, "json": {"id": 7, "name": "Rex"}}},
    )
    assert fixed["warnings"] == []
    assert mock_get(petstore, "/pets/1").json() == {"id": 7, "name": "Rex"}


def test_patch_null_removes_a_field(admin: Api, petstore: dict[str, Any]) -> None:
    ep = endpoint(admin, petstore, "GET /pets/{petId}")
    rule = admin.data(
        "POST",
        f"/api/endpoints/{ep['id']}/rules",
        201,
        json={"response": {"status": 404}, "then": [{"status": 200}]},
    )
    patched = admin.data(
        "PATCH", f"/api/endpoints/{ep['id']}/rules/{rule['id']}", json={"then": None}
    )
    assert patched["then"] == []
    assert [mock_get(petstore, "/pets/1").status_code for _ in range(2)] == [404, 404]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"response": {"fault": "explode"}}, "response.fault"),
        ({"response": {}, "then": [{"delay": [3, 1]}]}, "then[0].delay"),
        ({"response": {}, "state": "x"}, "state"),
        ({"response": {"example": "nope"}}, "response.example"),
        ({"response": {"template": "{{ nope"}}, "response.template"),
    ],
    ids=["fault", "delay", "state-without-scenario", "example", "template"],
)
def test_bad_rules_are_refused_naming_the_field(
    admin: Api, petstore: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    ep = endpoint(admin, petstore, "GET /pets/{petId}")
    answer = admin.call("POST", f"/api/endpoints/{ep['id']}/rules", json=body)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert any(f'"{field}"' in d for d in error["details"]), error
    assert admin.data("GET", f"/api/endpoints/{ep['id']}/rules")["total"] == 0


def test_a_collection_default_delay(admin: Api, petstore: dict[str, Any]) -> None:
    url = f"/api/collections/{petstore['id']}"
    assert admin.data("PATCH", url, json={"delay": 0.25})["delay"] == 0.25
    started = time.perf_counter()
    mock_get(petstore, "/pets")
    assert time.perf_counter() - started >= 0.25
    assert admin.data("PATCH", url, json={"delay": [0.01, 0.02]})["delay"] == [0.01, 0.02]
    bad = admin.call("PATCH", url, json={"delay": [2, 1]})
    assert bad.status_code == 422
    assert admin.data("PATCH", url, json={"delay": None})["delay"] is None


def test_the_same_rule_from_the_api_answers_like_the_fixture_and_file(
    admin: Api, petstore: dict[str, Any]
) -> None:
    """The fixture and file forms are compared in tests/integration/test_rule_behaviours.py;
    the API's form of the same rule gives the same answers."""
    ep = endpoint(admin, petstore, "GET /pets/{petId}")
    admin.data(
        "POST",
        f"/api/endpoints/{ep['id']}/rules",
        201,
        json={
            "match": {"path": {"petId": 7}, "headers": {"X-Tenant": "acme"}},
            "response": {"status": 404, "headers": {"X-Why": "gone"}, "times": 1},
            "then": [{"json": {"id": 7, "name": "Max"}}],
        },
    )
    tenant = {"X-Tenant": "acme"}
    first, second = (mock_get(petstore, "/pets/7", headers=tenant) for _ in range(2))
    assert (first.status_code, first.headers["X-Why"]) == (404, "gone")
    assert first.json() == {"code": 404, "message": "Pet not found"}  # the spec's example
    assert (second.status_code, second.json()) == (200, {"id": 7, "name": "Max"})
    assert mock_get(petstore, "/pets/8", headers=tenant).json().get("name") != "Max"


def test_a_scenario_name_may_hold_a_slash(admin: Api, petstore: dict[str, Any]) -> None:
    moved = admin.data(
        "PUT",
        f"/api/collections/{petstore['id']}/scenarios/checkout/eu",
        json={"state": "paid"},
    )
    assert {"name": "checkout/eu", "state": "paid"} in moved["scenarios"]
    empty = admin.call("PUT", f"/api/collections/{petstore['id']}/scenarios/x", json={"state": " "})
    assert empty.status_code == 422


def test_one_rule_three_ways_answers_byte_for_byte_alike(
    admin: Api, petstore: dict[str, Any], server: Any, tmp_path: Any
) -> None:
    """The same rule written for the fixture, in a rule file and through the API gives
    the same statuses, headers and bodies, request after request."""
    from pytest_mockamocha.handle import Mockamocha

    form = {
        "match": {"path": {"petId": 7}, "query": {"v": {"regex": "^[0-9]+$"}}},
        "response": {"status": 404, "headers": {"X-Why": "gone"}, "times": 1},
        "then": [{"json": {"id": 7, "name": "Max"}, "delay": 0.01}],
    }
    slug = petstore["slug"]
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(
        json.dumps({"rules": [{"operation": "getPet", "collection": slug, **form}]})
    )

    def answers() -> list[tuple[int, str | None, bytes]]:
        out = []
        for query in ("v=1", "v=2", "v=x", "v=3"):
            got = mock_get(petstore, f"/pets/7?{query}")
            out.append((got.status_code, got.headers.get("X-Why"), got.content))
        return out

    seen = []
    with Mockamocha(server, test="fixture", collection=slug, strict=True) as mock:
        mock.when("getPet", match=form["match"]).respond(404, headers={"X-Why": "gone"}).times(
            1
        ).then(json={"id": 7, "name": "Max"}).delay(0.01)
        seen.append(answers())
    with Mockamocha(server, test="file", collection=slug, strict=True) as mock:
        mock.load_rules(rules_file)
        seen.append(answers())
    ep = endpoint(admin, petstore, "GET /pets/{petId}")
    server.engine.begin_test("api")
    admin.data("POST", f"/api/endpoints/{ep['id']}/rules", 201, json=form)
    seen.append(answers())
    server.engine.end_test()
    assert seen[0] == seen[1] == seen[2]
    assert [s for s, _, _ in seen[0]] == [404, 200, 200, 200]
    assert seen[0][1][2] == b'{"id": 7, "name": "Max"}'
    assert seen[0][2][2] != seen[0][1][2]  # v=x misses the regex: the spec answers
