"""The SDKs (islands that import nothing of the package) know every error code the API sends."""

from __future__ import annotations

import re
from pathlib import Path

from pytest_mockamocha._wire import ERROR_CODES as CODES
from pytest_mockamocha.sdk import errors as sdk_errors

JS_ERRORS = Path(__file__).parents[2] / "sdk" / "js" / "src" / "errors.js"


def test_the_python_sdk_knows_every_error_code() -> None:
    assert dict(sdk_errors.BY_STATUS) == CODES
    assert set(sdk_errors.BY_CODE) == set(CODES.values())


def test_the_js_sdk_knows_every_error_code() -> None:
    text = JS_ERRORS.read_text()
    table = re.search(r"BY_STATUS = Object\.freeze\(\{(.*?)\}\)", text, re.S)
    assert table is not None
    by_status = {int(k): v for k, v in re.findall(r"(\d{3}): '([A-Z_]+)'", table.group(1))}
    assert by_status == CODES
    codes = re.search(r"BY_CODE = Object\.freeze\(\{(.*?)\}\)", text, re.S)
    assert codes is not None
    assert set(re.findall(r"([A-Z_]{4,}):", codes.group(1))) == set(CODES.values())
