"""Realism: names, e-mails of those names, ordered timestamps, money, example-shaped ids.

The realism test set of the issue: a user, an order and an address schema, each generated
for many seeds; every value is also checked with the independent validator.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import threading
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import pytest

from pytest_mockamocha.generate import SchemaGenerator
from pytest_mockamocha.generate.realism import ascii_word, check_locale
from pytest_mockamocha.generate.values import float_multiple

USER: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "firstName",
        "lastName",
        "email",
        "username",
        "phone",
        "createdAt",
        "updatedAt",
        "status",
        "balance",
    ],
    "properties": {
        "id": {"type": "string", "example": "usr_1A2b3C"},
        "firstName": {"type": "string"},
        "lastName": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "username": {"type": "string"},
        "phone": {"type": "string"},
        "createdAt": {"type": "string", "format": "date-time"},
        "updatedAt": {"type": "string", "format": "date-time"},
        "status": {"type": "string", "enum": ["active", "suspended", "invited"]},
        "balance": {"type": "number", "minimum": 0, "maximum": 10000, "multipleOf": 0.01},
    },
}
ADDRESS: dict[str, Any] = {
    "type": "object",
    "required": ["street", "city", "postcode", "country", "countryCode"],
    "properties": {
        "street": {"type": "string"},
        "city": {"type": "string"},
        "postcode": {"type": "string"},
        "country": {"type": "string"},
        "countryCode": {"type": "string", "minLength": 2, "maxLength": 2},
    },
}
ORDER: dict[str, Any] = {
    "type": "object",
    "required": ["id", "customer", "items", "currency", "total", "placed_at", "shipped_at"],
    "properties": {
        "id": {"type": "string", "example": "ord_1A2b"},
        "customer": {
            "type": "object",
            "required": ["name", "email"],
            "properties": {
                "name": {"type": "string"},
                "email": {"type": "string", "format": "email"},
                "company": {"type": "string"},
            },
        },
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": 4,
            "items": {
                "type": "object",
                "required": ["sku", "quantity", "unit_price"],
                "properties": {
                    "sku": {"type": "string", "example": "SKU-0042-XL"},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 9},
                    "unit_price": {"type": "number", "minimum": 0.5, "maximum": 99.99},
                },
            },
        },
        "currency": {"type": "string", "minLength": 3, "maxLength": 3},
        "total": {"type": "number", "multipleOf": 0.01, "minimum": 0},
        "placed_at": {"type": "string", "format": "date-time"},
        "shipped_at": {"type": "string", "format": "date-time"},
        "shipping": {"$ref": "#/components/schemas/Address"},
        "status": {"type": "string", "enum": ["placed", "shipped", "delivered"]},
        "note": {"type": "string", "description": "Free text from the buyer", "maxLength": 80},
    },
}


def _doc() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "shop", "version": "1"},
        "paths": {},
        "components": {"schemas": {"User": USER, "Address": ADDRESS, "Order": ORDER}},
    }


@pytest.fixture(scope="module")
def shop() -> SchemaGenerator:
    return SchemaGenerator(_doc(), "3.0")


def _many(gen: SchemaGenerator, schema: Any, n: int = 40) -> list[Any]:
    return [gen.generate(schema, random.Random(seed)) for seed in range(n)]


def test_users_have_consistent_names_emails_and_ordered_times(
    shop: SchemaGenerator, oas_valid: Any
) -> None:
    for user in _many(shop, USER):
        assert oas_valid(shop, USER, user)
        first, last = ascii_word(user["firstName"]), ascii_word(user["lastName"])
        _, address = parseaddr(user["email"])
        assert address == user["email"]
        assert address.split("@")[0] == f"{first}.{last}"
        assert user["username"].startswith(first[0] + last)
        assert user["createdAt"] <= user["updatedAt"]
        assert user["status"] in {"active", "suspended", "invited"}
        assert round(user["balance"], 2) == user["balance"]
        assert re.fullmatch(r"usr_\d[A-Z]\d[a-z]\d[A-Z]", user["id"]), user["id"]
        assert re.search(r"\d{3}", user["phone"])


def test_user_ids_follow_the_example_but_vary(shop: SchemaGenerator) -> None:
    ids = {u["id"] for u in _many(shop, USER)}
    assert len(ids) == 40


def test_orders_are_realistic_and_valid(shop: SchemaGenerator, oas_valid: Any) -> None:
    for order in _many(shop, ORDER):
        assert oas_valid(shop, ORDER, order)
        customer = order["customer"]
        local = customer["email"].split("@")[0]
        assert local == ".".join(ascii_word(p) for p in customer["name"].split(" ", 1))
        assert order["placed_at"] <= order["shipped_at"]
        assert re.fullmatch(r"ord_\d[A-Z]\d[a-z]", order["id"])
        assert re.fullmatch(r"[A-Z]{3}", order["currency"])
        for item in order["items"]:
            assert re.fullmatch(r"SKU-\d{4}-[A-Z]{2}", item["sku"])
            assert round(item["unit_price"], 2) == item["unit_price"]
        assert len({item["sku"] for item in order["items"]}) == len(order["items"])
        assert round(order["total"], 2) == order["total"]
        assert len(order.get("note", "")) <= 80


def test_addresses_look_like_addresses(shop: SchemaGenerator, oas_valid: Any) -> None:
    for address in _many(shop, ADDRESS):
        assert oas_valid(shop, ADDRESS, address)
        assert re.search(r"\d", address["street"])
        assert " " in address["street"]
        assert re.fullmatch(r"[A-Z]{2}", address["countryCode"])
        assert re.fullmatch(r"\d{5}", address["postcode"])  # en_US


def test_two_generators_give_the_same_values() -> None:
    one, two = SchemaGenerator(_doc(), "3.0"), SchemaGenerator(_doc(), "3.0")
    assert _many(one, ORDER, 15) == _many(two, ORDER, 15)
    assert _many(one, USER, 15) == _many(two, USER, 15)


def test_golden_user_pins_faker_backed_values() -> None:
    """Update only when generation (or the Faker data it draws from) changes on purpose."""
    user = SchemaGenerator(_doc(), "3.0").generate(USER, random.Random(7))
    again = SchemaGenerator(_doc(), "3.0").generate(USER, random.Random(7))
    assert user == again
    assert user["email"].endswith(("@example.com", "@example.org", "@example.net"))


def test_values_do_not_depend_on_other_threads(shop: SchemaGenerator) -> None:
    expected = _many(shop, ORDER, 10)
    results: list[list[Any]] = []

    def work() -> None:
        results.append(_many(shop, ORDER, 10))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


def test_locale_changes_the_values() -> None:
    schema = {
        "type": "object",
        "required": ["city", "phone"],
        "properties": ADDRESS["properties"] | {"phone": {"type": "string"}},
    }
    us = SchemaGenerator(_doc(), "3.0").generate(schema, random.Random(1))
    de = SchemaGenerator(_doc(), "3.0", locale="de_DE").generate(schema, random.Random(1))
    assert us != de
    assert all(
        re.fullmatch(r"\d{5}", v["postcode"])
        for v in _many(SchemaGenerator(_doc(), "3.0", locale="de_DE"), ADDRESS, 10)
    )


def test_an_unknown_locale_names_close_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown locale 'en_UZ'; did you mean: .*en_US"):
        check_locale("en_UZ")


@pytest.mark.parametrize(
    ("example", "pattern"),
    [
        ("ord_1A2b", r"ord_\d[A-Z]\d[a-z]"),
        ("INV-2023-0001", r"INV-\d{4}-\d{4}"),
        ("cus_9zZ", r"cus_\d[a-z][A-Z]"),
    ],
)
def test_example_ids_give_ids_of_the_same_shape(
    shop: SchemaGenerator, example: str, pattern: str
) -> None:
    schema = {"type": "string", "example": example}
    values = _many(shop, schema, 30)
    assert all(re.fullmatch(pattern, v) for v in values), values
    assert len(set(values)) > 20


@pytest.mark.parametrize(
    ("description", "pattern"),
    [
        ("The customer's e-mail address", r"[a-z.]+@example\.(com|org|net)"),
        ("Web page of the shop", r"https://\S+"),
    ],
    ids=["email", "url"],
)
def test_description_guides_unnamed_values(
    shop: SchemaGenerator, description: str, pattern: str
) -> None:
    schema = {
        "type": "object",
        "required": ["x1"],
        "properties": {"x1": {"type": "string", "description": description}},
    }
    for value in _many(shop, schema, 10):
        assert re.fullmatch(pattern, value["x1"]), value


def test_birthdays_are_plausible_dates(shop: SchemaGenerator) -> None:
    schema = {
        "type": "object",
        "required": ["birthDate"],
        "properties": {"birthDate": {"type": "string", "format": "date"}},
    }
    for value in _many(shop, schema, 20):
        assert "1950-01-01" <= value["birthDate"] <= "2005-12-31"


def test_same_values_in_processes_with_different_hash_seeds() -> None:
    code = (
        "import json, random, sys; sys.path.insert(0, sys.argv[1]); "
        "from test_gen_realism import _doc, ORDER; "
        "from pytest_mockamocha.generate import SchemaGenerator; "
        "gen = SchemaGenerator(_doc(), '3.0', locale='fr_FR'); "
        "print(json.dumps([gen.generate(ORDER, random.Random(s)) for s in range(5)]))"
    )
    here = str(Path(__file__).parent)
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code, here],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in (1, 2)
    }
    assert len(outputs) == 1


def _romaji() -> dict[str, str]:
    """Faker's own ja_JP (name, kana, romaji) pairs, as name -> lower-case romaji."""
    from faker import Faker

    provider = Faker("ja_JP")["ja_JP"].provider("faker.providers.person")
    pairs = [*provider.first_name_pairs, *provider.last_name_pairs]
    return {p[0]: p[-1].lower() for p in pairs}


def test_japanese_names_get_ascii_emails_of_their_romanisation(oas_valid: Any) -> None:
    gen = SchemaGenerator(_doc(), "3.0", locale="ja_JP")
    romaji = _romaji()
    for user in _many(gen, USER, 30):
        assert oas_valid(gen, USER, user)
        email = user["email"]
        assert email.isascii()
        assert parseaddr(email)[1] == email
        first, last = romaji[user["firstName"]], romaji[user["lastName"]]
        assert email.split("@")[0] == f"{first}.{last}"
        assert user["username"].isascii()
        assert user["username"].startswith(first[0] + last)


@pytest.mark.parametrize("locale", ["ru_RU", "el_GR", "zh_CN", "ko_KR"])
def test_other_scripts_still_give_ascii_emails(locale: str, oas_valid: Any) -> None:
    gen = SchemaGenerator(_doc(), "3.0", locale=locale)
    for user in _many(gen, USER, 10):
        assert oas_valid(gen, USER, user)
        assert re.fullmatch(r"[a-z0-9.]+@example\.(com|org|net)", user["email"]), user["email"]


def test_country_and_country_code_agree(shop: SchemaGenerator, oas_valid: Any) -> None:
    from faker.providers.date_time import Provider

    names = {c.alpha_2_code: c.name for c in Provider.countries}
    schema = {
        "type": "object",
        "required": ["country", "country_code", "countryCode", "home"],
        "properties": {
            "country": {"type": "string"},
            "country_code": {"type": "string"},
            "countryCode": {"type": "string", "minLength": 2, "maxLength": 2},
            "home": ADDRESS,
        },
    }
    seen = set()
    for value in _many(shop, schema, 40):
        assert oas_valid(shop, schema, value)
        assert value["country_code"] == value["countryCode"]
        assert names[value["countryCode"]] == value["country"]
        home = value["home"]
        assert names[home["countryCode"]] == home["country"]
        seen.add(value["country"])
    assert len(seen) > 10
    short = {"type": "string", "maxLength": 2}
    two = {"type": "object", "required": ["country"], "properties": {"country": short}}
    assert all(v["country"] in names for v in _many(shop, two, 10))


def _cents(value: float) -> int:
    return round(value * 100)


def _sendable(gen: SchemaGenerator, schema: dict[str, Any], value: float) -> bool:
    """Valid, and a multiple of the schema's step by float division as well."""
    steps = [schema["multipleOf"]] if "multipleOf" in schema else []
    return gen.is_valid(schema, value) and float_multiple(value, steps)


def test_order_totals_add_up_the_line_items(shop: SchemaGenerator) -> None:
    """Where the sum is valid to every validator: a binary-float ``multipleOf: 0.01`` check
    (python-jsonschema's) refuses about 11% of cent values (78.54 / 0.01 != 7854); the mock
    sends none of those, and then the generated valid value stays."""
    matched = 0
    for order in _many(shop, ORDER):
        cents = sum(round(i["quantity"] * i["unit_price"] * 100) for i in order["items"])
        if _sendable(shop, ORDER["properties"]["total"], cents / 100):
            assert _cents(order["total"]) == cents
            matched += 1
    assert matched >= 30


LINED: dict[str, Any] = {
    "type": "object",
    "required": ["lines", "subtotal", "tax", "total"],
    "properties": {
        "lines": {
            "type": "array",
            "minItems": 1,
            "maxItems": 4,
            "items": {
                "type": "object",
                "required": ["qty", "price", "amount"],
                "properties": {
                    "qty": {"type": "integer", "minimum": 1, "maximum": 5},
                    "price": {"type": "number", "minimum": 1, "maximum": 50, "multipleOf": 0.01},
                    "amount": {"type": "number", "minimum": 0, "multipleOf": 0.01},
                },
            },
        },
        "subtotal": {"type": "number", "minimum": 0, "multipleOf": 0.01},
        "tax": {"type": "number", "minimum": 0, "maximum": 20, "multipleOf": 0.01},
        "total": {"type": "number", "minimum": 0, "multipleOf": 0.01},
    },
}


def test_line_amounts_subtotal_and_total_with_tax(shop: SchemaGenerator, oas_valid: Any) -> None:
    cent = LINED["properties"]["total"]
    checked = 0
    for order in _many(shop, LINED):
        assert oas_valid(shop, LINED, order)
        lines = [round(line["qty"] * line["price"] * 100) for line in order["lines"]]
        if not all(_sendable(shop, cent, c / 100) for c in lines):
            continue
        assert [_cents(line["amount"]) for line in order["lines"]] == lines
        subtotal, total = sum(lines), sum(lines) + _cents(order["tax"])
        if _sendable(shop, cent, subtotal / 100) and _sendable(shop, cent, total / 100):
            assert _cents(order["subtotal"]) == subtotal
            assert _cents(order["total"]) == total
            checked += 1
    assert checked >= 15


def test_totals_the_schema_refuses_keep_a_valid_value(
    shop: SchemaGenerator, oas_valid: Any
) -> None:
    capped = {
        **LINED,
        "properties": {
            **LINED["properties"],
            "total": {"type": "number", "minimum": 0, "maximum": 5},
            "subtotal": {"type": "integer", "minimum": 0},
        },
    }
    for order in _many(shop, capped):
        assert oas_valid(shop, capped, order)
        assert order["total"] <= 5
        assert isinstance(order["subtotal"], int)
