"""The one spelling of a document (``[SLUG=]PATH``) and of a proxy (``SLUG=URL``), and the
options table that gives every plugin option its ini twin."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pytest_mockamocha.errors import ConfigError
from pytest_mockamocha.plugin.options import OPTIONS, Settings
from pytest_mockamocha.server.config import Document, parse_document, parse_proxy

BASE = Path("/project")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("specs/petstore.yaml", Document(BASE / "specs/petstore.yaml")),
        ("shop=specs/petstore.yaml", Document(BASE / "specs/petstore.yaml", slug="shop")),
        ("Pet Store=p.yaml", Document(BASE / "p.yaml", slug="pet-store")),
        ("shop=/abs/petstore.yaml", Document(Path("/abs/petstore.yaml"), slug="shop")),
        ("./a=b.yaml", Document(BASE / "a=b.yaml")),
        ("dir/a=b.yaml", Document(BASE / "dir/a=b.yaml")),
        ("./=x.yaml", Document(BASE / "=x.yaml")),
    ],
    ids=["path", "slug", "slugified", "absolute", "dot-slash", "equals-in-path", "odd-file"],
)
def test_a_document_is_slug_equals_path_or_a_path(text: str, expected: Document) -> None:
    assert parse_document(text, BASE) == expected


@pytest.mark.parametrize("text", ["=x.yaml", " =x.yaml", "=  "], ids=["bare", "blank", "none"])
def test_an_empty_slug_is_a_mistake_not_a_path(text: str) -> None:
    """``=x.yaml`` means a slug was meant and none given; the file ``=x.yaml`` is
    ``./=x.yaml`` (the plugin used to read it as that file, serve as ``x.yaml``)."""
    with pytest.raises(ConfigError, match="SLUG before '=' is empty; give SLUG=PATH"):
        parse_document(text, BASE)


def test_without_a_base_a_relative_path_stays_relative() -> None:
    assert parse_document("shop=specs/p.yaml") == Document(Path("specs/p.yaml"), slug="shop")


def test_a_proxy_is_slug_equals_an_http_url() -> None:
    assert parse_proxy("Pet Store=https://api.example.com/v1") == (
        "pet-store",
        "https://api.example.com/v1",
    )
    for wrong in ("petstore", "=http://x", "petstore=ftp://x"):
        with pytest.raises(ConfigError, match="is not SLUG=URL with an http:// or https:// URL"):
            parse_proxy(wrong)


def test_every_setting_has_one_option_and_its_ini_twin(pytester: pytest.Pytester) -> None:
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert {option.field or option.name for option in OPTIONS} == fields
    config = pytester.parseconfig()
    for option in OPTIONS:
        assert option.ini == "mockamocha_" + option.flag.removeprefix("--mockamocha-").replace(
            "-", "_"
        )
        assert config.getini(option.ini) is not None
        assert hasattr(config.option, option.dest)
