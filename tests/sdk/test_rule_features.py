"""The whole rule model through the blocking ``Client``: sequences (``then``), scenarios,
contract warnings, stateful collections and default delays, against a real server; the
mock answers are read with httpx."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest

from pytest_mockamocha.sdk import (
    REMOVE,
    Client,
    Collection,
    Endpoint,
    NotFound,
    Rule,
    Scenario,
    ValidationError,
)
from pytest_mockamocha.sdk import calls as sdk_calls


def endpoint(client: Client, coll: Collection, operation_id: str) -> Endpoint:
    found = client.endpoints.iter(collection_id=coll.id)
    return next(e for e in found if e.operation_id == operation_id)


def mock(coll: Collection, method: str, path: str, **kwargs: object) -> httpx.Response:
    return httpx.request(method, coll.mock_url + path, timeout=5, **kwargs)  # type: ignore[arg-type]


def test_a_sequence_in_a_scenario_hits_scenarios_and_reset(
    client: Client, petstore: Collection
) -> None:
    pet = endpoint(client, petstore, "getPet")
    rule = client.rules.create(
        pet.id,
        name="adoption",
        match={"path": {"petId": 7}},
        response={"status": 404, "headers": {"X-Why": "gone"}, "times": 1},
        then=[{"json": {"id": 7, "name": "Rex"}}],
        scenario="adoption",
        next_state="seen",
    )
    assert isinstance(rule, Rule)
    assert rule.then == [{"json": {"id": 7, "name": "Rex"}}]
    assert (rule.scenario, rule.state, rule.next_state) == ("adoption", "started", "seen")
    assert (rule.hits, rule.warnings) == (0, [])
    assert client.collections.scenarios(petstore.id) == [Scenario("adoption", "started")]

    first = mock(petstore, "GET", "/pets/7")
    assert (first.status_code, first.headers["X-Why"]) == (404, "gone")
    assert client.collections.scenarios(petstore.id) == [Scenario("adoption", "seen")]
    assert client.rules.get(pet.id, rule.id).hits == 1
    # in "seen" the rule (it wants "started") does not fire: the spec answers
    unruled = mock(petstore, "GET", "/pets/7")
    assert unruled.status_code == 200
    assert "X-Why" not in unruled.headers
    assert client.rules.get(pet.id, rule.id).hits == 1

    moved = client.collections.set_scenario(petstore.id, "adoption", "started")
    assert moved == [Scenario("adoption", "started")]
    second = mock(petstore, "GET", "/pets/7")  # the sequence went on to its next step
    assert (second.status_code, second.json()) == (200, {"id": 7, "name": "Rex"})
    assert client.rules.get(pet.id, rule.id).hits == 2

    assert client.collections.reset(petstore.id) == [Scenario("adoption", "started")]
    again = mock(petstore, "GET", "/pets/7")  # back at the first step
    assert (again.status_code, again.headers["X-Why"]) == (404, "gone")
    assert client.rules.list(pet.id).items[0].hits == 1  # the reset started the count again


def test_update_changes_and_removes_the_new_fields(client: Client, petstore: Collection) -> None:
    pet = endpoint(client, petstore, "getPet")
    rule = client.rules.create(
        pet.id, response={"status": 404}, then=({"status": 200},), scenario="s", state="one"
    )
    assert (rule.then, rule.state) == ([{"status": 200}], "one")
    moved = client.rules.update(pet.id, rule.id, state="two", next_state="three", priority=4)
    assert (moved.scenario, moved.state, moved.next_state, moved.priority) == (
        "s",
        "two",
        "three",
        4,
    )
    assert moved.then == rule.then  # fields not given stay
    gone = client.rules.update(
        pet.id, rule.id, then=REMOVE, scenario=REMOVE, state=REMOVE, next_state=REMOVE
    )
    assert (gone.then, gone.scenario, gone.state, gone.next_state) == ([], None, None, None)
    assert gone.priority == 4
    assert [mock(petstore, "GET", "/pets/1").status_code for _ in range(2)] == [404, 404]
    copied = client.rules.create(pet.id, **gone.form())
    assert copied.form() == gone.form()


def test_a_rule_off_the_contract_is_kept_with_warnings(
    client: Client, petstore: Collection
) -> None:
    pet = endpoint(client, petstore, "getPet")
    rule = client.rules.create(pet.id, response={"status": 200, "json": {"id": "seven"}})
    assert len(rule.warnings) >= 1
    assert any("body.id" in w for w in rule.warnings)
    fixed = client.rules.update(
        pet.id, rule.id, response={"status": 200, "json": {"id": 7, "name": "Rex"}}
    )
    assert fixed.warnings == []
    assert mock(petstore, "GET", "/pets/1").json() == {"id": 7, "name": "Rex"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"response": {"fault": "explode"}}, "response.fault"),
        ({"response": {}, "then": [{"delay": [3, 1]}]}, "then[0].delay"),
        ({"response": {}, "state": "x"}, "state"),
        ({"response": {"status": 200, "json": 1, "body": "x"}}, "response"),
    ],
    ids=["fault", "delay", "state-without-scenario", "two-bodies"],
)
def test_a_bad_rule_is_a_validation_error_naming_the_field(
    client: Client, petstore: Collection, fields: dict[str, object], field: str
) -> None:
    pet = endpoint(client, petstore, "getPet")
    with pytest.raises(ValidationError) as caught:
        client.rules.create(pet.id, **fields)  # type: ignore[arg-type]
    error = caught.value
    assert (error.status, error.code) == (422, "VALIDATION_ERROR")
    assert any(f'"{field}"' in d for d in error.details), error.details
    assert client.rules.list(pet.id).total == 0


def test_a_bad_update_keeps_the_rule(client: Client, petstore: Collection) -> None:
    pet = endpoint(client, petstore, "getPet")
    rule = client.rules.create(pet.id, response={"status": 404})
    with pytest.raises(ValidationError) as caught:
        client.rules.update(pet.id, rule.id, then=[{"times": 0}])
    assert any('"then[0].times"' in d for d in caught.value.details)
    assert client.rules.get(pet.id, rule.id).then == []


def test_a_stateful_collection_round_trips_crud_and_resets(
    client: Client, petstore: Collection
) -> None:
    assert (petstore.stateful, petstore.delay) == (False, None)
    changed = client.collections.update(petstore.id, stateful=True)
    assert isinstance(changed, Collection)
    assert changed.stateful is True
    assert client.collections.get(petstore.id).stateful is True

    seeded = mock(petstore, "GET", "/pets").json()
    made = mock(petstore, "POST", "/pets", json={"name": "Rex", "tag": "dog"})
    assert made.status_code == 201
    pet = made.json()
    assert (pet["name"], pet["tag"]) == ("Rex", "dog")
    assert mock(petstore, "GET", f"/pets/{pet['id']}").json() == pet
    put = mock(petstore, "PUT", f"/pets/{pet['id']}", json={"name": "Max"}).json()
    assert (put["id"], put["name"]) == (pet["id"], "Max")
    assert put in mock(petstore, "GET", "/pets").json()
    assert mock(petstore, "DELETE", f"/pets/{pet['id']}").status_code == 204
    assert mock(petstore, "GET", f"/pets/{pet['id']}").status_code == 404

    mock(petstore, "POST", "/pets", json={"name": "Kept until the reset"})
    assert len(mock(petstore, "GET", "/pets").json()) == len(seeded) + 1
    assert client.collections.reset(petstore.id) == []  # no scenarios, the store reseeded
    assert mock(petstore, "GET", "/pets").json() == seeded

    off = client.collections.update(petstore.id, stateful=False)
    assert off.stateful is False
    assert mock(petstore, "GET", f"/pets/{pet['id']}").status_code == 200  # the spec answers


def test_a_collection_default_delay(client: Client, petstore: Collection) -> None:
    assert client.collections.update(petstore.id, delay=0.01).delay == 0.01
    ranged = client.collections.update(petstore.id, delay=(0.01, 0.02))
    assert ranged.delay == [0.01, 0.02]
    assert client.collections.get(petstore.id).delay == [0.01, 0.02]
    assert client.collections.update(petstore.id, name="renamed").delay == [0.01, 0.02]
    with pytest.raises(ValidationError) as caught:
        client.collections.update(petstore.id, delay=(2, 1))
    assert any('"delay"' in d for d in caught.value.details)
    assert client.collections.update(petstore.id, delay=REMOVE).delay is None


def test_set_scenario_needs_a_state(client: Client, petstore: Collection) -> None:
    with pytest.raises(ValidationError):
        client.collections.set_scenario(petstore.id, "adoption", "  ")


@pytest.fixture
def stranger(server_url: str, client: Client) -> Iterator[Client]:
    """A client of another user, in a workspace of its own."""
    email = f"stranger-{uuid.uuid4().hex[:8]}@example.com"
    password = "a long stranger password"
    made = httpx.post(
        server_url + "/api/users",
        json={"email": email, "name": "Stranger", "password": password},
        headers={"Authorization": f"Bearer {client.token}"},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    with Client(server_url) as other:
        other.login(email, password)
        yield other


def test_unknown_and_foreign_collections_are_not_found(
    client: Client, petstore: Collection, stranger: Client
) -> None:
    pet = endpoint(client, petstore, "getPet")
    rule = client.rules.create(pet.id, response={"status": 404}, scenario="mine")
    for mm, coll_id in ((client, "coll_does_not_exist"), (stranger, petstore.id)):
        with pytest.raises(NotFound):
            mm.collections.scenarios(coll_id)
        with pytest.raises(NotFound):
            mm.collections.set_scenario(coll_id, "mine", "other")
        with pytest.raises(NotFound):
            mm.collections.reset(coll_id)
        with pytest.raises(NotFound) as caught:
            mm.collections.update(coll_id, stateful=True)
        assert caught.value.status == 404
    with pytest.raises(NotFound):
        stranger.rules.create(pet.id, response={"status": 200}, scenario="theirs")
    with pytest.raises(NotFound):
        stranger.rules.update(pet.id, rule.id, then=REMOVE)
    assert client.collections.get(petstore.id).stateful is False
    assert client.collections.scenarios(petstore.id) == [Scenario("mine", "started")]


def test_calls_spell_remove_as_null_and_escape_names() -> None:
    body = sdk_calls.update_collection("c", None, None, True, (1, 2)).body
    assert body is not None
    assert json.loads(body) == {"stateful": True, "delay": [1, 2]}
    removed = sdk_calls.update_collection("c", "n", None, None, REMOVE).body
    assert removed is not None
    assert json.loads(removed) == {"name": "n", "delay": None}
    rule = sdk_calls.update_rule("e", "r", {"then": REMOVE, "name": None, "priority": 0}).body
    assert rule is not None
    assert json.loads(rule) == {"then": None, "priority": 0}
    moved = sdk_calls.set_scenario("c", "a/b c", "x")
    assert (moved.method, moved.path) == ("PUT", "/api/collections/c/scenarios/a%2Fb%20c")
    assert sdk_calls.reset_collection("c").method == "POST"
    assert repr(REMOVE) == "REMOVE"
