"""The byte format refuses text that is not ASCII instead of raising (the library's check
raised UnicodeEncodeError out of validation); the library's own checkers stay as they are."""

from __future__ import annotations

import pytest
from jsonschema.exceptions import FormatError
from openapi_schema_validator import OAS30ReadValidator, OAS31Validator

from pytest_mockamocha.generate.validate import safe_formats


def test_the_byte_check_refuses_text_that_is_not_ascii() -> None:
    library = OAS30ReadValidator.FORMAT_CHECKER
    safe = safe_formats(library)
    assert safe is safe_formats(library)  # built once
    assert safe.conforms("YWJj", "byte")
    assert not safe.conforms("YW!j", "byte")
    assert not safe.conforms("é", "byte")
    with pytest.raises(FormatError):
        safe.check("\u2026", "byte")
    assert safe.conforms("2026-12-04", "date")  # the other checks are the library's
    assert not safe.conforms("yesterday", "date")
    with pytest.raises(UnicodeEncodeError):  # unchanged: only our copy is safe
        library.conforms("é", "byte")


def test_a_checker_without_a_byte_check_is_copied_as_it_is() -> None:
    """OpenAPI 3.1 has no ``byte`` format check (``contentEncoding`` took its place)."""
    safe = safe_formats(OAS31Validator.FORMAT_CHECKER)
    assert "byte" not in safe.checkers
    assert safe.conforms("é", "byte")
    assert safe.checkers == OAS31Validator.FORMAT_CHECKER.checkers
