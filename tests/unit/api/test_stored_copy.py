"""The copy of a document the store keeps (JSON-clean, apart from the served one), and the
text a stored document is loaded again from."""

from __future__ import annotations

import json

from pytest_mockamocha.api.catalog import _document_text, _stored_copy


def test_the_copy_is_equal_and_shares_nothing() -> None:
    document = {"paths": {"/a": {"get": {"tags": ["x"], "responses": {"200": {}}}}}}
    copy = _stored_copy(document)
    assert copy == document
    copy["paths"]["/a"]["get"]["tags"].append("y")
    assert document["paths"]["/a"]["get"]["tags"] == ["x"]


def test_integers_beyond_64_bits_and_tuples_survive() -> None:
    document = {"maximum": 2**70, "enum": (1, 2), "nested": {"big": -(2**80)}}
    assert _stored_copy(document) == {"maximum": 2**70, "enum": [1, 2], "nested": {"big": -(2**80)}}


def test_values_json_cannot_hold_become_text() -> None:
    marker = object()
    assert _stored_copy({"odd": marker}) == {"odd": str(marker)}


def test_a_stored_document_becomes_text_that_reads_back_the_same() -> None:
    document = {"info": {"title": "Pets \u00e9"}, "maximum": 2**70, "paths": {}}
    assert json.loads(_document_text(document)) == document
    assert json.loads(_document_text({"a": [1, 2.5, None]})) == {"a": [1, 2.5, None]}
