"""Finding operations by name or operationId, and suggesting the closest names."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mockamocha.errors import MockamochaError, OperationNotFoundError
from pytest_mockamocha.spec.index import OperationIndex
from pytest_mockamocha.spec.loader import load_spec
from pytest_mockamocha.spec.model import ApiSpec


@pytest.fixture(scope="module")
def petstore() -> ApiSpec:
    return load_spec(Path(__file__).resolve().parents[2] / "data" / "specs" / "petstore.yaml")


@pytest.fixture(scope="module")
def index(petstore: ApiSpec) -> OperationIndex:
    return OperationIndex(petstore.operations, where="collection 'petstore'")


@pytest.mark.parametrize(
    "name",
    ["getPet", "GET /pets/{petId}", "get /pets/{petId}", "  GET   /pets/{petId} "],
    ids=["operation-id", "method-and-path", "lower-case-method", "extra-spaces"],
)
def test_get_finds_an_operation(index: OperationIndex, name: str) -> None:
    assert index.get(name).operation_id == "getPet"


def test_static_and_dashed_paths_are_distinct_names(index: OperationIndex) -> None:
    assert index.get("GET /pets/mine").operation_id == "listMyPets"
    assert index.get("GET /stores/{store-id}/inventory").operation_id == "getInventory"
    assert len(index) == 8


def test_find_returns_none_for_unknown(index: OperationIndex) -> None:
    assert index.find("GET /nothing") is None
    assert index.find("getPets") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("listPet", "listPets"),
        ("getpet", "getPet"),
        ("GET /pet/{petId}", "GET /pets/{petId}"),
        ("GET /pets/{id}", "GET /pets/{petId}"),
        ("PATCH /pets/{petId}", "PUT /pets/{petId}"),
        ("GET /store/{storeId}/inventory", "GET /stores/{store-id}/inventory"),
    ],
    ids=[
        "operation-id-typo",
        "operation-id-case",
        "path-typo",
        "param-renamed",
        "wrong-method",
        "dashed-param",
    ],
)
def test_unknown_name_suggests_the_closest(index: OperationIndex, name: str, expected: str) -> None:
    with pytest.raises(OperationNotFoundError) as info:
        index.get(name)
    error = info.value
    assert isinstance(error, LookupError)
    assert isinstance(error, MockamochaError)
    assert error.name == name
    assert expected in error.suggestions
    assert 1 <= len(error.suggestions) <= 3
    assert repr(expected) in str(error)
    assert "collection 'petstore'" in str(error)


def test_nothing_close_gives_no_suggestion(index: OperationIndex) -> None:
    with pytest.raises(OperationNotFoundError) as info:
        index.get("zzzzzzzzzzzzzzzzzzzzzzzzzz")
    assert info.value.suggestions == ()
    assert "did you mean" not in str(info.value)


def test_index_over_the_large_spec(large_spec_path: Path) -> None:
    spec = load_spec(large_spec_path)
    index = OperationIndex(spec.operations)
    assert len(index) == 1190
    for op in spec.operations[::97]:
        assert index.get(op.name) is op
        assert op.operation_id is not None
        assert index.get(op.operation_id) is op
    first = spec.operations[0]
    typo = first.operation_id[:-1] if first.operation_id else ""
    with pytest.raises(OperationNotFoundError) as info:
        index.get(typo)
    assert first.operation_id in info.value.suggestions
