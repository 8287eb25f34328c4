"""Response templates: the request view, rendering, helpers, the sandbox and its bounds."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from pytest_mockamocha.engine.formproblems import FormProblem
from pytest_mockamocha.engine.respond import templates
from pytest_mockamocha.engine.respond.templates import problems, render, request_view
from pytest_mockamocha.errors import TemplateError

MakeRequest = Callable[..., Any]
PET = {"id": 3, "name": "Generated Rex", "tags": ["a", "b"]}


class Generated:
    """A ``generated`` callable that counts its calls."""

    def __init__(self, value: Any = PET) -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> Any:
        self.calls += 1
        return self.value


@pytest.fixture
def view(req: MakeRequest) -> dict[str, Any]:
    request = req(
        "POST",
        "/pets/7",
        query={"tag": ["dog", "cat"], "limit": "2"},
        headers={"X-Trace-Id": "abc-123", "Accept": "application/json"},
        cookies={"session": "s1"},
        json_body={"name": "Rex", "age": 4},
    )
    return request_view(request, {"petId": "7"})


def run(template: Any, view: dict[str, Any], *, seed: int = 1, material: str = "m") -> Any:
    return render(template, view, seed=seed, material=material, generated=Generated())


# -- the request view -----------------------------------------------------------------------
def test_request_view_names(view: dict[str, Any]) -> None:
    assert view["method"] == "POST"
    assert view["path"] == {"petId": "7"}
    assert view["url_path"] == "/pets/7"
    assert view["query"] == {"tag": "dog", "limit": "2"}
    assert view["query_all"] == {"tag": ["dog", "cat"], "limit": ["2"]}
    assert view["cookies"] == {"session": "s1"}
    assert view["json"] == {"name": "Rex", "age": 4}
    assert view["body"] == '{"name": "Rex", "age": 4}'


def test_headers_are_found_by_any_spelling(view: dict[str, Any]) -> None:
    headers = view["headers"]
    assert headers["x-trace-id"] == headers["X-TRACE-ID"] == "abc-123"
    assert "x-Trace-ID" in headers
    assert headers.get("x-trace-id") == "abc-123"
    assert headers.get("missing", "d") == "d"
    assert run("{{ request.headers['x-trace-id'] }}", view) == "abc-123"
    assert run("{{ request.headers.get('X-TRACE-ID') }}", view) == "abc-123"


def test_body_is_decoded_with_replacement_and_json_only_when_json(req: MakeRequest) -> None:
    view = request_view(
        req("POST", "/x", body=b"caf\xff", headers={"Content-Type": "text/plain"}), {}
    )
    assert view["body"] == "caf\ufffd"
    assert view["json"] is None
    text = request_view(req("POST", "/x", body=b"12", headers={"Content-Type": "text/plain"}), {})
    assert text["json"] is None
    bad = request_view(
        req("POST", "/x", body=b"{nope", headers={"Content-Type": "application/json"}), {}
    )
    assert bad["json"] is None


def test_request_view_without_a_request() -> None:
    view = request_view(None, {"petId": "9"})
    assert view["path"] == {"petId": "9"}
    assert view["json"] is None
    assert view["body"] == ""
    assert view["query"] == {}
    assert run("{{ request.path.petId }}", view) == "9"


# -- rendering ------------------------------------------------------------------------------
def test_text_template_renders_to_str(view: dict[str, Any]) -> None:
    out = run("{{ request.method }} {{ request.url_path }} {{ request.query.tag }}\n", view)
    assert out == "POST /pets/7 dog\n"


def test_a_lone_expression_keeps_its_type(view: dict[str, Any]) -> None:
    out = run(
        {
            "id": "{{ request.path.petId | int }}",
            "spaced": "  {{ request.json.age }}  ",
            "list": "{{ request.query_all.tag }}",
            "none": "{{ none }}",
            "bool": "{{ request.json.age > 3 }}",
            "body": "{{ request.json }}",
            "float": "{{ 1.5 }}",
        },
        view,
    )
    assert out == {
        "id": 7,
        "spaced": 4,
        "list": ["dog", "cat"],
        "none": None,
        "bool": True,
        "body": {"name": "Rex", "age": 4},
        "float": 1.5,
    }


def test_mixed_text_renders_to_str(view: dict[str, Any]) -> None:
    out = run(
        {
            "label": "pet-{{ request.path.petId }}",
            "two": "{{ 1 }}{{ 2 }}",
            "braces": "{{ '}}' }}",
            "tag": "{% if true %}{{ 1 }}{% endif %}",
            "plain": "no template",
            "n": 5,
            "nested": [{"x": "{{ request.method | lower }}"}, None, True],
        },
        view,
    )
    assert out == {
        "label": "pet-7",
        "two": "12",
        "braces": "}}",
        "tag": "1",
        "plain": "no template",
        "n": 5,
        "nested": [{"x": "post"}, None, True],
    }


def test_dict_keys_are_templates(view: dict[str, Any]) -> None:
    out = run({"pet-{{ request.path.petId }}": "{{ request.path.petId | int }}"}, view)
    assert out == {"pet-7": 7}
    with pytest.raises(TemplateError, match="two keys render to 'a'"):
        run({"{{ 'a' }}": 1, "a": 2}, view)


def test_tojson_is_plain_json(view: dict[str, Any]) -> None:
    assert run("{{ {'a': '<b>'} | tojson }}", view) == '{"a": "<b>"}'
    assert run("{{ request.json | tojson(indent=2) }}", view).startswith('{\n  "name"')


def test_native_values_become_json() -> None:
    view = request_view(None, {})
    assert run("{{ (1, 2) }}", view) == "(1, 2)"
    assert run({"t": "{{ (1, 2) }}"}, view) == {"t": [1, 2]}
    with pytest.raises(TemplateError, match="not JSON"):
        run({"c": "{{ cycler(1) }}"}, view)


# -- generated -------------------------------------------------------------------------------
def test_generated_is_computed_once_and_only_when_used(view: dict[str, Any]) -> None:
    gen = Generated()
    out = render(
        {"a": "{{ generated.name }}", "b": "{{ generated }}", "c": "{{ generated.tags | length }}"},
        view,
        seed=1,
        material="m",
        generated=gen,
    )
    assert out == {"a": "Generated Rex", "b": PET, "c": 2}
    assert gen.calls == 1
    unused = Generated()
    render({"a": "{{ request.method }}"}, view, seed=1, material="m", generated=unused)
    render(
        "{% if false %}{{ generated.name }}{% endif %}",
        view,
        seed=1,
        material="m",
        generated=unused,
    )
    assert unused.calls == 0


def test_a_template_may_name_its_own_generated(view: dict[str, Any]) -> None:
    assert run("{% set generated = 3 %}{{ generated }}", view) == "3"
    assert run("{% for generated in [1, 2] %}{{ generated }}{% endfor %}", view) == "12"


def test_a_failing_generator_is_a_template_error(view: dict[str, Any]) -> None:
    def broken() -> Any:
        raise RuntimeError("no schema")

    with pytest.raises(TemplateError, match="generated data failed: no schema"):
        render("{{ generated }}", view, seed=1, material="m", generated=broken)


# -- helpers ---------------------------------------------------------------------------------
def test_uuid_is_uuid4_shaped_and_seeded(view: dict[str, Any]) -> None:
    first, second = run("{{ uuid() }} {{ uuid() }}", view).split()
    assert uuid.UUID(first).version == 4
    assert first != second
    assert run("{{ uuid() }}", view) == first
    assert run("{{ uuid() }}", view, seed=2) != first
    assert run("{{ uuid() }}", view, material="other") != first


def test_now_is_an_iso_utc_timestamp(view: dict[str, Any]) -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", run("{{ now() }}", view))


def test_random_int(view: dict[str, Any]) -> None:
    values = run({"v": "{{ range(50) | map('string') | map('int') | list }}"}, view)
    assert values["v"] == list(range(50))
    drawn = run({"v": "{% for _ in range(30) %}{{ random_int(1, 6) }},{% endfor %}"}, view)
    numbers = [int(n) for n in drawn["v"].rstrip(",").split(",")]
    assert set(numbers) <= set(range(1, 7))
    assert len(set(numbers)) > 1
    assert run({"v": "{{ random_int(3, 3) }}"}, view) == {"v": 3}
    with pytest.raises(TemplateError, match="first bound is above"):
        run("{{ random_int(5, 1) }}", view)
    with pytest.raises(TemplateError, match="whole numbers"):
        run("{{ random_int('a', 2) }}", view)


def test_fake_providers(view: dict[str, Any]) -> None:
    out = run({"name": "{{ fake('name') }}", "email": "{{ fake('email') }}"}, view)
    assert " " in out["name"]
    assert "@" in out["email"]
    assert run({"n": "{{ fake('random_int', 5, 5) }}"}, view) == {"n": 5}
    assert run({"n": "{{ fake('pyint', min_value=2, max_value=2) }}"}, view) == {"n": 2}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("fake('_Generator__config')", "do not start with '_'"),
        ("fake('seed_instance', 1)", "no such provider"),
        ("fake('add_provider', 'x')", "no such provider"),
        ("fake('random')", "no such provider"),
        ("fake('no_such_thing')", "no such provider"),
        ("fake(3)", "takes a provider name"),
        ("fake('words', 10 ** 7)", "above the template limit"),
        ("fake('json', num_rows=9999)", "above the template limit 100 for sizes"),
        ("fake('image', size=(9999, 9999))", "above the template limit 100 for sizes"),
        ("fake('name', 1, 2, 3)", r"fake\('name'\) failed"),
    ],
)
def test_fake_refuses(view: dict[str, Any], call: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        run("{{ " + call + " }}", view)


def test_a_render_that_takes_too_long_is_stopped(view: dict[str, Any]) -> None:
    # each call is within the size limit; together they would take seconds
    template = "{% for _ in range(2000) %}{{ fake('json', num_rows=100) }}{% endfor %}"
    with pytest.raises(TemplateError, match="more than 1 s to render"):
        run(template, view)


def test_the_random_filter_is_seeded(view: dict[str, Any]) -> None:
    template = "{% for _ in range(20) %}{{ [1, 2, 3, 4] | random }}{% endfor %}"
    assert run(template, view) == run(template, view)
    assert run(template, view) != run(template, view, seed=99)


def test_same_seed_material_and_request_give_the_same_output(view: dict[str, Any]) -> None:
    template = {
        "id": "{{ uuid() }}",
        "n": "{{ random_int(1, 1000000) }}",
        "who": "{{ fake('name') }} <{{ fake('email') }}>",
        "pick": "{{ ['a', 'b', 'c', 'd'] | random }}",
    }
    first = run(template, view)
    assert run(template, view) == first
    assert run(template, view, seed=2) != first
    assert run(template, view, material="GET /pets/8") != first


# -- errors ---------------------------------------------------------------------------------
def test_strict_undefined_names_the_typo(view: dict[str, Any]) -> None:
    with pytest.raises(TemplateError, match="'pth'") as caught:
        run("ok\n{{ request.pth.x }}", view)
    assert str(caught.value).startswith("template, line 2:")
    with pytest.raises(TemplateError, match=r"template\.items\[0\]\.name: .*'nope' is undefined"):
        run({"items": [{"name": "{{ nope }}"}]}, view)
    with pytest.raises(TemplateError, match=r"\(key\)"):
        run({"{{ nope }}": 1}, view)
    with pytest.raises(TemplateError, match="'missing'"):
        run({"x": "{{ [request.missing] }}"}, view)


def test_python_errors_become_template_errors_without_tracebacks(view: dict[str, Any]) -> None:
    with pytest.raises(TemplateError) as caught:
        run("{{ 1 / 0 }}", view)
    message = str(caught.value)
    assert "ZeroDivisionError" in message
    assert "Traceback" not in message
    assert " at 0x" not in message


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ request.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ request.headers.update({'a': 'b'}) }}",
        "{{ request.query_all.tag.append(1) }}",
        "{{ fake.__globals__ }}",
        "{{ uuid.__code__ }}",
        "{{ (request|attr('__class__')) }}",
    ],
)
def test_sandbox_escapes_are_refused(view: dict[str, Any], escape: str) -> None:
    with pytest.raises(TemplateError) as caught:
        run(escape, view)
    assert "0x" not in str(caught.value)
    with pytest.raises(TemplateError):
        run({"x": escape}, view)


def test_lipsum_is_gone(view: dict[str, Any]) -> None:
    with pytest.raises(TemplateError, match="'lipsum' is undefined"):
        run("{{ lipsum() }}", view)


# -- bounds ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{% for i in range(10**9) %}x{% endfor %}", "range"),
        ("{{ range(10**9) | list }}", "range"),
        ("{% for i in range(10000) %}{{ 'x' * 500 }}{% endfor %}", "output exceeds"),
        ("{{ 'x' * 10**9 }}", "'\\*'"),
        ("{{ [1] * 10**9 }}", "'\\*'"),
        ("{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}", "steps"),
        ("{{ 'x' | center(10**9) }}", "limit"),
        ("{{ 'x'.ljust(10**9) }}", "limit"),
        ("{{ '%999999999d' % 1 }}", "width"),
        ("{{ '{:>999999999}'.format(1) }}", "width"),
        ("{{ [1] | batch(10**9, 'x') | list }}", "limit"),
        ("{{ 'ab' | replace('', 'x' * 600000) }}", "exceed"),
        ("{{ 2 ** 10000000 }}", "bits"),
        (
            "{% set ns = namespace(s='xx') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "more than",
        ),
        (
            "{% set ns = namespace(s='xx') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s + ns.s %}{% endfor %}",
            "more than",
        ),
        ("{% macro f(n) %}{{ f(n - 1) }}{% endmacro %}{{ f(1) }}", "recurses|steps"),
    ],
)
def test_bounds(view: dict[str, Any], template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        run(template, view)


def test_output_limit_counts_every_leaf(view: dict[str, Any]) -> None:
    leaf = "{% for i in range(1000) %}" + "x" * 400 + "{% endfor %}"
    assert len(run({"a": leaf}, view)["a"]) == 400_000
    with pytest.raises(TemplateError, match="output exceeds"):
        run({"a": leaf, "b": leaf, "c": leaf}, view)


def test_a_large_range_below_the_limit_renders(view: dict[str, Any]) -> None:
    assert run({"n": f"{{{{ range({templates.MAX_RANGE}) | list | length }}}}"}, view) == {
        "n": templates.MAX_RANGE
    }


def test_compiled_templates_are_cached(view: dict[str, Any]) -> None:
    source = "cached {{ request.method }} 91f3"
    run(source, view)
    before = templates._leaf.cache_info().hits
    run(source, view)
    assert templates._leaf.cache_info().hits > before


# -- problems (rule time) ------------------------------------------------------------------------
def test_problems_of_good_templates_are_none() -> None:
    assert problems("{{ request.path.petId }}", ("template",)) == []
    assert problems({"a": ["{{ x }}", 1, None, True, 1.5], "{{ k }}": {}}, ("template",)) == []


def test_syntax_errors_are_at_the_leaf_path() -> None:
    found = problems({"items": [{"name": "{{ x "}], "ok": "fine", "if": "{% if %}"}, ("template",))
    assert [p.at for p in found] == [("template", "items", 0, "name"), ("template", "if")]
    assert "line 1" in found[0].message
    assert str(found[0]).startswith('Field "template.items[0].name" is not a valid template')


def test_syntax_error_lines_in_a_text_template() -> None:
    [found] = problems("line one\n{{ x }", ("template",))
    assert found == FormProblem(("template",), found.message)
    assert "line 2" in found.message


def test_key_syntax_errors() -> None:
    [found] = problems({"{{": 1}, ("template",))
    assert found.at == ("template", "{{")
    assert "key" in found.message


@pytest.mark.parametrize(
    "value",
    [{1, 2}, object(), b"bytes", float("nan"), float("inf")],
)
def test_values_that_are_not_json_are_problems(value: Any) -> None:
    [found] = problems({"a": [value]}, ("respond", "template"))
    assert found.at == ("respond", "template", "a", 0)


def test_non_string_keys_are_problems() -> None:
    [found] = problems({3: "x"}, ("template",))
    assert found.at == ("template",)
    assert "not a string" in found.message
