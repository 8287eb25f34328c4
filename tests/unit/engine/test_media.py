"""Which type an answer is sent as, and how a value is written for it (engine/media)."""

from __future__ import annotations

import csv
import io
import random

import pytest

from pytest_mockamocha.engine.media import concrete_type, encode, is_xml, member_type
from pytest_mockamocha.engine.respond.untyped import untyped_body


@pytest.mark.parametrize(
    ("declared", "accept", "sent"),
    [
        ("image/*", None, "image/png"),
        ("image/*", "image/webp, image/*;q=0.5", "image/webp"),
        ("image/*", "image/gif;q=0, image/jpeg", "image/jpeg"),
        ("image/*", "text/html, */*", "image/png"),
        ("audio/*", None, "audio/mpeg"),
        ("text/*", "text/markdown", "text/markdown"),
        ("image/png", "image/gif", None),
        ("*/*", "image/gif", None),
        ("application/*", None, None),
    ],
)
def test_a_range_is_answered_with_one_of_its_members(
    declared: str, accept: str | None, sent: str | None
) -> None:
    assert member_type(declared, accept) == sent


def test_concrete_type_follows_the_value_for_the_json_ranges() -> None:
    assert concrete_type("*/*", {"a": 1}) == "application/json"
    assert concrete_type("*/*", b"\x00") == "application/octet-stream"
    assert concrete_type("image/*", "abc") == "image/png"
    assert concrete_type("text/*", {"a": 1}) == "text/plain"
    assert concrete_type("application/xml", {"a": 1}) == "application/xml"


@pytest.mark.parametrize(
    ("media", "xml"),
    [("application/xml", True), ("text/xml; charset=utf-8", True), ("application/atom+xml", True),
     ("application/json", False), ("text/plain", False)],
)  # fmt: skip
def test_is_xml(media: str, xml: bool) -> None:
    assert is_xml(media) is xml


def test_csv_rows_keep_every_column_quote_what_needs_it_and_leave_none_empty() -> None:
    rows = [{"id": 1, "name": 'a,"b"', "ok": True}, {"id": 2, "tags": ["x"], "name": None}]
    text = encode(rows, "text/csv").decode()
    assert text.endswith("\r\n")
    read = list(csv.DictReader(io.StringIO(text)))
    assert read == [
        {"id": "1", "name": 'a,"b"', "ok": "true", "tags": ""},
        {"id": "2", "name": "", "ok": "", "tags": '["x"]'},
    ]


def test_a_form_is_url_encoded_and_other_values_stay_json() -> None:
    assert encode({"a": 1, "b": "x y&z"}, "application/x-www-form-urlencoded") == b"a=1&b=x+y%26z"
    assert encode({"a": 1}, "text/csv") == b'{"a": 1}'  # not a list of objects: as before
    assert encode(None, "text/plain") == b""


@pytest.mark.parametrize(
    ("media", "starts"),
    [("application/json", {}), ("text/event-stream", "data: "), ("text/csv", "value\n"),
     ("application/xml", '<?xml version="1.0"'), ("text/html", "<!DOCTYPE html>")],
)  # fmt: skip
def test_a_body_without_a_schema_fits_its_type(media: str, starts: object) -> None:
    body = untyped_body(media, random.Random(1))
    if isinstance(starts, dict):
        assert body == starts
    else:
        assert isinstance(body, str)
        assert isinstance(starts, str)
        assert body.startswith(starts)
    assert untyped_body(media, random.Random(1)) == body  # seeded: the same every time


def test_other_binary_types_get_seeded_bytes() -> None:
    body = untyped_body("application/pdf", random.Random(7))
    assert isinstance(body, bytes)
    assert len(body) == 16
    assert body == untyped_body("application/pdf", random.Random(7))
    assert untyped_body("image/gif", random.Random(7)).startswith(b"GIF89a")
