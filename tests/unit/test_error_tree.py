"""One error tree: every ``MockamochaError`` lives in ``errors.py``, drawn in its docstring."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pytest_mockamocha import errors
from pytest_mockamocha._wire import ERROR_CODES
from pytest_mockamocha.sdk import errors as sdk_errors

PACKAGE = Path(errors.__file__).parent
_DRAWN = re.compile(r"^( *)[*x+] (\w+)", re.M)


def _drawn() -> dict[str, str | None]:
    """Each class of the docstring's tree, with the class it is drawn under."""
    assert errors.__doc__ is not None
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for indent, name in _DRAWN.findall(errors.__doc__):
        depth = len(indent)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((depth, name))
    return parents


def test_the_docstring_draws_every_error_under_its_real_base() -> None:
    drawn = _drawn()
    defined = {
        name: value
        for name, value in vars(errors).items()
        if isinstance(value, type)
        and issubclass(value, (errors.MockamochaError, errors.MockamochaWarning))
        and value.__module__ == errors.__name__
    }
    assert set(drawn) == set(defined)
    for name, parent in drawn.items():
        if parent is not None:
            assert issubclass(defined[name], defined[parent]), (name, parent)
            assert defined[parent] in defined[name].__mro__[1:2], (name, parent)


def test_no_module_outside_errors_py_defines_a_package_error() -> None:
    """Private markers (``_Placed``, a TemplateError whose text already names its place)
    may subclass one; a public error belongs in the tree."""
    ours = set(_drawn())
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        if path.relative_to(PACKAGE).parts[0] == "sdk":  # the SDK's own tree, an island
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                continue
            if {_name(b) for b in node.bases} & ours:
                found.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    assert found == []


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else ""


def test_the_sdk_has_a_class_for_every_code_the_server_sends() -> None:
    for status, code in ERROR_CODES.items():
        assert sdk_errors.error_class(code, status) is sdk_errors.BY_CODE[code]
        assert errors.ApiError(status, "x").code == code


def test_a_config_error_is_worded_with_each_front_ends_option_names() -> None:
    error = errors.ConfigError("{record} needs {proxies}: {path}", path="out.yaml")
    assert str(error) == "record needs proxies: out.yaml"
    worded = error.worded({"record": "--record", "proxies": "--proxy"})
    assert worded == "--record needs --proxy: out.yaml"
    braces = errors.ConfigError("{spec} not found: {path}", path="{odd}.yaml")
    assert braces.worded({"spec": "--spec"}) == "--spec not found: {odd}.yaml"
