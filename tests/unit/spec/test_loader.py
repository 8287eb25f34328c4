"""Loading the shipped valid specs: operations, versions, slugs and YAML normalisation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pytest_mockamocha.errors import SpecError
from pytest_mockamocha.spec.loader import load_spec, load_text, slug_for, slugify

VALID = {
    "petstore": (
        "petstore.yaml",
        "petstore",
        "3.0",
        [
            "listPets",
            "createPet",
            "getPet",
            "updatePet",
            "deletePet",
            "listMyPets",
            "searchPets",
            "getInventory",
        ],
    ),
    "multifile": (
        "multifile/api.yaml",
        "api",
        "3.0",
        ["listUsers", "createUser", "getUser", "deleteUser", "getUserAddress", "listCategories"],
    ),
    "openapi31": ("openapi31.yaml", "openapi31", "3.1", ["listEvents", "createEvent", "getEvent"]),
    "security": (
        "security.yaml",
        "security",
        "3.0",
        [
            "getStatus",
            "listOrders",
            "createOrder",
            "getOrder",
            "getCurrentUser",
            "getAdminReport",
            "adminDeleteOrder",
            "exportOrders",
            "getSession",
        ],
    ),
    "media": (
        "media.yaml",
        "media",
        "3.0",
        [
            "getHealth",
            "exportLoansCsv",
            "getSummaryXml",
            "getBook",
            "getBookCover",
            "uploadFile",
            "downloadFile",
            "deleteFile",
            "uploadBlob",
            "login",
            "listArticles",
        ],
    ),
}

MINIMAL = """\
openapi: 3.0.3
info: {title: Minimal, version: '1'}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '200': {description: ok}
"""


@pytest.mark.parametrize(
    ("file", "slug", "version", "operation_ids"), VALID.values(), ids=list(VALID)
)
def test_valid_spec_loads_with_its_operations(
    specs_dir: Path, file: str, slug: str, version: str, operation_ids: list[str]
) -> None:
    spec = load_spec(specs_dir / file)
    assert spec.slug == slug
    assert spec.version == version
    assert len(spec.operations) == len(operation_ids)
    assert sorted(op.operation_id or "" for op in spec.operations) == sorted(operation_ids)
    assert not [w for w in spec.warnings if w.fatal]
    for op in spec.operations:
        assert op.method == op.method.upper()
        assert op.name == f"{op.method} {op.path}"
        assert all(isinstance(code, str) for code in op.responses)


def test_petstore_operation_details(specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "petstore.yaml")
    by_id = {op.operation_id: op for op in spec.operations}
    get_pet = by_id["getPet"]
    assert get_pet.name == "GET /pets/{petId}"
    # the path-level parameter is merged into every operation of the path item
    assert [(p.name, p.location, p.required) for p in get_pet.parameters] == [
        ("petId", "path", True)
    ]
    assert [p.name for p in by_id["deletePet"].params_in("path")] == ["petId"]
    assert sorted(get_pet.responses) == ["200", "404"]
    # a response $ref is followed into the operation
    assert get_pet.responses["404"]["description"] == "No such resource."
    assert by_id["searchPets"].deprecated is True
    assert by_id["listPets"].deprecated is False
    assert [p.name for p in by_id["getInventory"].params_in("path")] == ["store-id"]
    assert {p.name for p in by_id["listPets"].params_in("query")} == {"limit", "status"}
    assert by_id["createPet"].request_body is not None
    assert by_id["createPet"].request_body["required"] is True
    assert spec.server_path == "/v1"
    assert spec.title == "Swagger-style Pet Store"


def test_security_requirements_are_resolved_per_operation(specs_dir: Path) -> None:
    ops = {op.operation_id: op for op in load_spec(specs_dir / "security.yaml").operations}
    assert ops["getStatus"].security == ()  # `security: []` makes it public
    assert ops["listOrders"].security == ({"apiKey": []},)  # the global default
    assert ops["getOrder"].security == ({"apiKey": []}, {"bearer": []})  # alternatives
    assert ops["adminDeleteOrder"].security == ({"apiKey": [], "basic": []},)  # conjunction
    assert ops["createOrder"].security == ({"oauth2": ["orders:write"]},)


def test_openapi31_webhooks_are_not_served(specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "openapi31.yaml")
    assert "onEventCreated" not in {op.operation_id for op in spec.operations}
    assert spec.version == "3.1"


def test_openapi31_without_paths_but_with_webhooks_loads(tmp_path: Path) -> None:
    path = tmp_path / "hooks.yaml"
    path.write_text(
        "openapi: 3.1.0\ninfo: {title: Hooks, version: '1'}\n"
        "webhooks:\n  ping:\n    post:\n      responses:\n        '200': {description: ok}\n"
    )
    spec = load_spec(path)
    assert spec.operations == ()
    assert spec.version == "3.1"


def test_load_text_from_memory() -> None:
    spec = load_text(MINIMAL, source="memory.yaml", slug="things")
    assert spec.slug == "things"
    assert [op.name for op in spec.operations] == ["GET /things"]
    assert spec.source == "memory.yaml"


def test_load_text_accepts_json_and_bytes() -> None:
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "J", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"204": {"description": "none"}}}}},
    }
    spec = load_text(json.dumps(doc).encode(), source="doc.json")
    assert [op.name for op in spec.operations] == ["GET /a"]
    assert spec.slug == "api"


def test_load_text_error_names_source_and_line() -> None:
    with pytest.raises(SpecError) as info:
        load_text("openapi: 3.0.3\ninfo: {title: x\n", source="inline.yaml")
    assert "inline.yaml" in str(info.value)
    assert info.value.line is not None
    assert f"line {info.value.line}" in str(info.value)


def test_load_text_refuses_file_refs() -> None:
    text = MINIMAL.replace("'200': {description: ok}", "'200': {$ref: './other.yaml#/Ok'}")
    with pytest.raises(SpecError, match=r"other\.yaml") as info:
        load_text(text, source="inline.yaml")
    assert info.value.pointer.startswith("/paths/~1things/get/responses/200")


# -- slugs ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stem", "slug"),
    [
        ("Pet Store", "pet-store"),
        ("petstore", "petstore"),
        ("PET_store.v2", "pet-store-v2"),
        ("  --Orders  API--", "orders-api"),
        ("___", "api"),
    ],
    ids=["spaces", "plain", "underscore-and-dot", "trimmed", "nothing-left"],
)
def test_slug_from_file_stem(stem: str, slug: str) -> None:
    assert slug_for(Path(f"specs/{stem}.yaml")) == slug


def test_pet_store_file_gets_a_dashed_slug(specs_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "Pet Store.yaml"
    shutil.copy(specs_dir / "petstore.yaml", target)
    assert load_spec(target).slug == "pet-store"


def test_document_slug_overrides_the_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "whatever.yaml"
    path.write_text(MINIMAL + "x-mockamocha-slug: Orders V2\n")
    assert load_spec(path).slug == "orders-v2"


def test_explicit_slug_argument_is_used(tmp_path: Path) -> None:
    path = tmp_path / "whatever.yaml"
    path.write_text(MINIMAL)
    assert load_spec(path, slug="mine").slug == "mine"


def test_explicit_slug_argument_beats_the_document_slug(tmp_path: Path) -> None:
    # `--mockamocha-spec SLUG=PATH`: what the user typed wins over the document's default.
    path = tmp_path / "whatever.yaml"
    path.write_text(MINIMAL + "x-mockamocha-slug: from-document\n")
    assert load_spec(path, slug="chosen").slug == "chosen"


def test_slugify_is_idempotent() -> None:
    for text in ("Pet Store", "a--b", "Ünïcode API", "x"):
        assert slugify(slugify(text)) == slugify(text)


# -- YAML normalisation ----------------------------------------------------------------------
YAML_QUIRKS = """\
openapi: 3.0.3
info: {title: Quirks, version: '1'}
paths:
  /events:
    get:
      operationId: listEvents
      responses:
        200:
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  day: {type: string, format: date, example: 2024-03-01}
                  at: {type: string, format: date-time, example: 2024-03-01T10:15:00Z}
              example:
                day: 2024-03-01
                at: 2024-03-01T10:15:00Z
        404:
          description: missing
        default:
          description: error
"""


def test_yaml_integer_status_keys_become_strings() -> None:
    spec = load_text(YAML_QUIRKS, source="quirks.yaml")
    op = spec.operations[0]
    assert list(op.responses) == ["200", "404", "default"]
    raw = spec.document["paths"]["/events"]["get"]["responses"]
    assert all(isinstance(k, str) for k in raw)


def test_yaml_dates_stay_strings() -> None:
    spec = load_text(YAML_QUIRKS, source="quirks.yaml")
    media = spec.operations[0].responses["200"]["content"]["application/json"]
    assert media["example"] == {"day": "2024-03-01", "at": "2024-03-01T10:15:00Z"}
    props = media["schema"]["properties"]
    assert props["day"]["example"] == "2024-03-01"
    assert props["at"]["example"] == "2024-03-01T10:15:00Z"


def test_yaml_keys_that_look_like_yaml11_booleans_keep_their_text() -> None:
    # OpenAPI recommends YAML 1.2, where `on`/`off`/`yes`/`no` are plain strings; a
    # property called `on` must not become a property called "true".
    text = YAML_QUIRKS.replace(
        "day: {type: string, format: date, example: 2024-03-01}",
        "day: {type: string}\n                  on: {type: boolean}",
    )
    spec = load_text(text, source="quirks.yaml")
    props = spec.operations[0].responses["200"]["content"]["application/json"]["schema"][
        "properties"
    ]
    assert "on" in props
    assert "true" not in props


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert len(load_spec(path).operations) == 1


def test_json_spec_file_loads(tmp_path: Path, specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "petstore.yaml")
    path = tmp_path / "petstore.json"
    path.write_text(json.dumps(spec.document))
    again = load_spec(path)
    assert [op.name for op in again.operations] == [op.name for op in spec.operations]
    assert again.content_hash == spec.content_hash


# -- files that cannot be read ---------------------------------------------------------------
def test_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read") as info:
        load_spec(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(info.value)


def test_non_utf8_file_is_a_spec_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL.replace("Minimal", "Caf\xe9").encode("latin-1"))
    with pytest.raises(SpecError, match="UTF-8") as info:
        load_spec(path)
    assert "latin1.yaml" in str(info.value)


def test_unsupported_openapi_version(tmp_path: Path) -> None:
    path = tmp_path / "v4.yaml"
    path.write_text(MINIMAL.replace("3.0.3", "4.0.0"))
    with pytest.raises(SpecError, match=r"4\.0\.0") as info:
        load_spec(path)
    assert info.value.pointer == "/openapi"
    assert "v4.yaml" in str(info.value)


def test_structural_verdict_is_cached_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "cached.yaml"
    path.write_text(MINIMAL.replace("Minimal", f"Cached {tmp_path.name}"))
    cache = tmp_path / "cache"
    first = load_spec(path, cache_dir=cache)
    files = list((cache / "checks").glob("*.json"))
    assert len(files) == 1
    assert json.loads(files[0].read_text()) == []
    second = load_spec(path, cache_dir=cache)
    assert second.content_hash == first.content_hash


def test_large_spec_loads(large_spec_path: Path, large_document: dict[str, Any]) -> None:
    spec = load_spec(large_spec_path)
    assert spec.slug == "large"
    assert len(spec.operations) == 1190
    names = [op.name for op in spec.operations]
    assert len(set(names)) == len(names)
    ids = [op.operation_id for op in spec.operations]
    assert None not in ids
    assert len(set(ids)) == len(ids)
    assert len(large_document["paths"]) == len({op.path for op in spec.operations})


# -- JSON read by orjson from the bytes (parse.fast_json), the standard path otherwise


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": [1, 2.5, "x", null, true], "b": {"c": "\\u00e9"}}',
        b'\xef\xbb\xbf  \n{"a": 1}',
        b'{"a": 1, "a": 2}',
        b'[{"deep": [[[]]]}]',
        b'{"a": 12345678901234567890123}',  # past 64 bits: orjson would make it a float
        b'{"a": -9999999999999999999, "b": 18446744073709551615}',
        b'{"a": NaN, "b": -Infinity}',  # not JSON, which Python's reader accepts
        b'{"a": "\\ud83d\\ude00"}',  # an escaped surrogate pair
    ],
)
def test_json_reads_the_same_whichever_reader_takes_it(text: bytes) -> None:
    import json
    import math

    from pytest_mockamocha.spec.parse import parse_text

    expected = json.loads(text.decode("utf-8-sig"))
    got = parse_text(text, "doc.json")
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)
    if "NaN" in text.decode():
        assert math.isnan(got["a"])


def test_json_with_a_lone_surrogate_is_refused_naming_where(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_bytes(
        b'{"openapi": "3.0.3", "info": {"title": "\\ud800", "version": "1"}, "paths": {}}'
    )
    with pytest.raises(SpecError, match="lone surrogate") as raised:
        load_spec(path)
    assert raised.value.pointer == "/info/title"


def test_json_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_bytes(b'{"openapi": "3.0.3", "info": {"title": "\xff", "version": "1"}}')
    with pytest.raises(SpecError, match="not UTF-8"):
        load_spec(path)


def test_a_yaml_nan_and_a_json_null_are_different_contents(tmp_path: Path) -> None:
    head = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-value: "
    (tmp_path / "nan.yaml").write_text(head + ".nan\n")
    (tmp_path / "null.json").write_text(
        '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},'
        ' "x-value": null}'
    )
    assert (
        load_spec(tmp_path / "nan.yaml").content_hash
        != load_spec(tmp_path / "null.json").content_hash
    )
