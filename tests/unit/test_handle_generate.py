"""``Mockamocha.generate`` and ``Mockamocha.strategy``: records of an operation or a schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from pytest_mockamocha import Mockamocha
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.errors import MockamochaError, OperationNotFoundError, RuleError
from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.spec.loader import load_spec

PETSTORE = Path(__file__).parents[1] / "data" / "specs" / "petstore.yaml"
CONTACT: dict[str, Any] = {
    "type": "object",
    "required": ["name", "email", "plan"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "plan": {"type": "string", "enum": ["free", "pro"]},
        "seats": {"type": "integer", "minimum": 1, "maximum": 50},
        "company": {"type": "string"},
    },
}


@pytest.fixture(scope="module")
def mock() -> Mockamocha:
    engine = Engine(seed=0)
    engine.add(load_spec(PETSTORE), "petstore")
    return Mockamocha(MockServer(engine), test="generate")


def _pet_valid(mock: Mockamocha, pet: Any) -> bool:
    coll = mock.collection()
    schema = coll.spec.document["components"]["schemas"]["Pet"]
    return coll.responder.generator.is_valid(schema, pet)


def test_a_list_operation_gives_items(mock: Mockamocha) -> None:
    pets = mock.generate("GET /pets", 25)
    assert len(pets) == 25
    assert all(isinstance(p, dict) and _pet_valid(mock, p) for p in pets)


def test_operation_ids_work_too_and_the_seed_is_reproducible(mock: Mockamocha) -> None:
    assert mock.generate("listPets", 5, seed=3) == mock.generate("GET /pets", 5, seed=3)
    assert mock.generate("listPets", 5, seed=3) != mock.generate("listPets", 5, seed=4)
    assert mock.generate("listPets", 8, seed=3)[:5] == mock.generate("listPets", 5, seed=3)


def test_a_single_object_operation(mock: Mockamocha) -> None:
    (pet,) = mock.generate("GET /pets/{petId}")
    assert _pet_valid(mock, pet)


def test_status_picks_another_response(mock: Mockamocha) -> None:
    (problem,) = mock.generate("GET /pets/{petId}", status=404)
    assert {"code", "message"} <= set(problem)
    with pytest.raises(RuleError, match="declares no response 418"):
        mock.generate("GET /pets/{petId}", status=418)


def test_custom_fields_choices_fixed_ranges_and_faker(mock: Mockamocha) -> None:
    contacts = mock.generate(
        CONTACT,
        30,
        seed=1,
        plan=["pro"],
        seats=range(5, 8),
        company="faker:company",
    )
    assert {c["plan"] for c in contacts} == {"pro"}
    assert {c["seats"] for c in contacts} <= {5, 6, 7}
    assert len({c["company"] for c in contacts}) > 10
    priced = mock.generate(
        {"type": "object", "properties": {"price": {"type": "number"}}}, 20, price=(1.5, 9.99)
    )
    assert all(1.5 <= p["price"] <= 9.99 and round(p["price"], 2) == p["price"] for p in priced)
    fixed = mock.generate(CONTACT, 3, plan="free")
    assert [c["plan"] for c in fixed] == ["free"] * 3


def test_a_custom_field_breaking_the_schema_is_a_clear_error(mock: Mockamocha) -> None:
    with pytest.raises(RuleError, match=r"custom field 'plan' makes records the schema refuses"):
        mock.generate(CONTACT, 2, plan="enterprise")
    with pytest.raises(RuleError, match=r"custom field 'nickname'"):
        mock.generate(CONTACT, 2, nickname="x")
    with pytest.raises(RuleError, match=r"a tuple must be \(low, high\)"):
        mock.generate(CONTACT, 2, seats=(9, 1))
    with pytest.raises(MockamochaError, match="Faker has no provider 'nope'"):
        mock.generate(CONTACT, 1, company="faker:nope")


def test_unknown_operations_name_close_ones(mock: Mockamocha) -> None:
    with pytest.raises(OperationNotFoundError, match="GET /pets"):
        mock.generate("GET /pet", 1)


def test_records_are_realistic(mock: Mockamocha) -> None:
    for contact in mock.generate(CONTACT, 10):
        first = contact["name"].lower().split(" ", 1)[0]
        assert contact["email"].startswith(first[:1])
        assert "@example." in contact["email"]


def test_strategy_under_given(mock: Mockamocha) -> None:
    seen: list[Any] = []

    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(pet=mock.strategy("GET /pets"), contact=mock.strategy(CONTACT))
    def check(pet: Any, contact: Any) -> None:
        assert _pet_valid(mock, pet)
        assert contact["plan"] in {"free", "pro"}
        seen.append(contact)

    check()
    assert len(seen) >= 10
