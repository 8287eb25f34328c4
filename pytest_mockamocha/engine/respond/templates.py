"""Response templates: jinja2 in its immutable sandbox, rendered per request.

A template is text (rendered to ``str``) or a JSON value whose string leaves (and keys)
are templates. A leaf that is exactly one ``{{ expression }}`` keeps the expression's
type, so ``{"id": "{{ request.path.petId | int }}"}`` answers ``{"id": 7}``.

Templates see ``request`` (see ``request_view``), ``generated`` (the data the mock would
have answered, computed only when a template names it, at most once per render) and the
helpers ``uuid()``, ``now()``, ``random_int(a, b)`` and ``fake(provider, *args)``. Every
random helper draws from one ``Random`` seeded by the seed and the request's material:
the same seed, rule and request give the same output (``now()`` aside).

Templates may come from remote users (the management API), so besides the sandbox (no
``_`` attributes, no mutation of lists and dicts) a render is bounded: ``range`` gives at
most ``MAX_RANGE`` items, loop iterations plus calls at most ``MAX_STEPS``, any one value
or the whole output at most ``MAX_OUTPUT`` characters, a ``fake()`` size (rows, items,
characters) at most ``MAX_FAKE_SIZE``, and the whole render at most ``MAX_SECONDS``.
Compiled templates are cached by their source. jinja2 is imported with this module, which
the engine imports lazily.
"""

from __future__ import annotations

import json
import math
import random
import re
import time as _time
import traceback
import uuid as _uuid
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from datetime import date, datetime, time, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, nodes, pass_context
from jinja2 import TemplateError as JinjaError
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing
from jinja2.visitor import NodeTransformer

from pytest_mockamocha.engine.exchange import MockRequest
from pytest_mockamocha.engine.formproblems import FormProblem, Path, at
from pytest_mockamocha.errors import TemplateError

#: the most characters a render may output, and the longest value it may build
MAX_OUTPUT = 1_000_000
#: the most items ``range()`` gives in a template
MAX_RANGE = 10_000
#: the most loop iterations plus calls one render may take
MAX_STEPS = 100_000
#: number arguments above this (a width, a count) are refused where they size a value
_MAX_ARG = MAX_OUTPUT
#: the largest size ``fake()`` may be asked for (``json(num_rows=9999)`` took 3.3 s)
MAX_FAKE_SIZE = 100
#: the longest one render may take, seconds (checked at every step and helper call)
MAX_SECONDS = 1.0
_ROOT = "template"
_NATIVE = re.compile(r"\s*\{\{-?(.*?)-?\}\}\s*", re.S)
#: ``%999999999d`` or ``{:>999999999}``: a width that would build a huge string
_WIDE_FORMAT = re.compile(r"[%:][^%:{}\s]*?\d{7,}")
_REPR = re.compile(r"<[^<>]{0,300}>")


class _Placed(TemplateError):
    """A ``TemplateError`` whose message already names the template part."""


# -- the state of one render ------------------------------------------------------------
class _Render:
    """What the helpers of one render share: its random draws, its budget, ``generated``."""

    __slots__ = ("_generated", "_have", "_value", "deadline", "output", "rng", "steps")

    def __init__(self, seed: int, material: str, generated: Callable[[], Any]) -> None:
        self.rng = random.Random(f"{seed}|{material}|template")
        self.steps = 0
        self.output = 0
        self.deadline = _time.monotonic() + MAX_SECONDS
        self._generated = generated
        self._have = False
        self._value: Any = None

    def step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > MAX_STEPS:
            raise TemplateError(f"the template takes more than {MAX_STEPS} loop steps and calls")
        self.in_time()

    def in_time(self) -> None:
        """Raise once the render has taken longer than ``MAX_SECONDS``."""
        if _time.monotonic() > self.deadline:
            raise TemplateError(f"the template takes more than {MAX_SECONDS:g} s to render")

    def emit(self, n: int) -> None:
        self.output += n
        if self.output > MAX_OUTPUT:
            raise TemplateError(f"the template's output exceeds {MAX_OUTPUT} characters")

    def generated(self) -> Any:
        if not self._have:
            try:
                self._value = self._generated()
            except TemplateError:
                raise
            except Exception as exc:
                raise TemplateError(f"the generated data failed: {_clean(str(exc))}") from None
            self._have = True
        return self._value


_RENDER: ContextVar[_Render] = ContextVar("mockamocha_template_render")


def _state() -> _Render:
    try:
        return _RENDER.get()
    except LookupError:  # a compiled template used outside ``render`` (tests): no budget
        return _Render(0, "", lambda: None)


# -- helpers ------------------------------------------------------------------------------
def _helper_uuid() -> str:
    """A uuid4-shaped string drawn from the render's seeded ``Random``."""
    return str(_uuid.UUID(int=_state().rng.getrandbits(128), version=4))


def _helper_now() -> str:
    """The current UTC time, ISO-8601 to the second: ``2024-03-01T10:15:00Z``."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _helper_random_int(a: Any, b: Any) -> int:
    """A whole number in [a, b], drawn from the render's seeded ``Random``."""
    for value in (a, b):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TemplateError(f"random_int(a, b) takes whole numbers, not {_kind(value)}")
    if a > b:
        raise TemplateError(f"random_int({a}, {b}): the first bound is above the second")
    return _state().rng.randint(a, b)


#: Faker providers whose number arguments are values, not sizes (a range, a timestamp)
_NUMERIC_PROVIDERS = frozenset({"random_int", "pyint"})


def _helper_fake(provider: Any, *args: Any, **kwargs: Any) -> Any:
    """``fake('name')``: a Faker provider's value, seeded from the render's ``Random``."""
    from faker.providers import BaseProvider

    from pytest_mockamocha.generate.realism import DEFAULT_LOCALE, faker_for

    if not isinstance(provider, str) or not provider:
        raise TemplateError(f"fake() takes a provider name, not {_kind(provider)}")
    label = f"fake({provider!r})"
    if provider.startswith("_"):
        raise TemplateError(f"{label}: provider names do not start with '_'")
    gen = faker_for(DEFAULT_LOCALE)
    method = None if hasattr(type(gen), provider) else getattr(gen, provider, None)
    owner = getattr(method, "__self__", None)
    if not callable(method) or not isinstance(owner, BaseProvider):
        raise TemplateError(f"{label}: Faker has no such provider")
    numeric = provider in _NUMERIC_PROVIDERS or type(owner).__module__.startswith(
        "faker.providers.date_time"
    )
    if not numeric:
        for value in _numbers((*args, *kwargs.values())):
            if abs(value) > MAX_FAKE_SIZE:
                raise TemplateError(
                    f"{label}: {value} is above the template limit {MAX_FAKE_SIZE} for sizes"
                )
    state = _state()
    gen.seed_instance(state.rng.getrandbits(64))
    try:
        result = method(*args, **kwargs)
    except Exception as exc:
        raise TemplateError(f"{label} failed: {_clean(str(exc))}") from None
    state.in_time()
    return _sized(result)


def _numbers(values: Any) -> Iterator[float]:
    """Every number in ``values``, inside tuples, lists and dicts too (``size=(9999, 9999)``)."""
    for value in values:
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from _numbers(value)
        elif isinstance(value, dict):
            yield from _numbers(value.values())


def _helper_generated() -> Any:
    """The render's generated data (computed on the first call; see ``_Guards``)."""
    return _state().generated()


def _helper_range(*args: Any) -> range:
    """``range`` with at most ``MAX_RANGE`` items."""
    for value in args:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TemplateError(f"range() takes whole numbers, not {_kind(value)}")
    made = range(*args)
    if len(made) > MAX_RANGE:
        raise TemplateError(f"range() gives {len(made)} items; templates allow {MAX_RANGE}")
    return made


_HELPERS: dict[str, Callable[..., Any]] = {
    "uuid": _helper_uuid,
    "now": _helper_now,
    "random_int": _helper_random_int,
    "fake": _helper_fake,
    "range": _helper_range,
    "_mm_generated": _helper_generated,
}
_OWN = frozenset(map(id, _HELPERS.values()))


# -- filters ------------------------------------------------------------------------------
def _filter_tojson(value: Any, indent: int | None = None) -> str:
    """JSON text of ``value`` (not HTML-escaped: templates answer JSON, not HTML)."""
    if indent is not None and (not isinstance(indent, int) or not 0 <= indent <= 16):
        raise TemplateError(f"tojson(indent) takes 0 to 16, not {indent!r}")
    return json.dumps(_jsonable(value), ensure_ascii=False, indent=indent)


@pass_context  # a context filter is never folded into a constant when compiled
def _filter_random(context: Context, seq: Any) -> Any:
    """An item of ``seq``, drawn from the render's seeded ``Random``."""
    items = list(seq)
    if not items:
        raise TemplateError("random: the sequence is empty")
    return _state().rng.choice(items)


@pass_context
def _filter_steps(context: Context, iterable: Any) -> Iterator[Any]:
    """Every template loop iterates through this: each item is a step of the budget."""
    state = _state()
    for item in iterable:
        state.step()
        yield item


def _filter_size(value: Any) -> Any:
    return _sized(value)


def _bounded(name: str, inner: Callable[..., Any]) -> Callable[..., Any]:
    """The jinja filter ``inner``, refusing number arguments that would size a huge value."""
    passes = hasattr(inner, "jinja_pass_arg")  # pass_context and the like: one more first

    def guarded(*args: Any, **kwargs: Any) -> Any:
        value, rest = (args[1], args[2:]) if passes else (args[0], args[1:])
        _check_args(name, rest, kwargs)
        if name == "format" and _WIDE_FORMAT.search(str(value)):
            raise TemplateError(f"format: a width above {_MAX_ARG} characters")
        if name == "replace" and len(rest) >= 2:
            _check_replace(str(value), rest[0], rest[1])
        return _sized(inner(*args, **kwargs))

    guarded.__name__ = getattr(inner, "__name__", name)
    if passes:
        guarded.jinja_pass_arg = inner.jinja_pass_arg  # type: ignore[attr-defined]
    return guarded


def _check_args(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > _MAX_ARG:
            raise TemplateError(f"{name}: {value} is above the template limit {_MAX_ARG}")


def _check_replace(text: str, old: Any, new: Any) -> None:
    if (text.count(str(old)) + 1) * len(str(new)) + len(text) > MAX_OUTPUT:
        raise TemplateError(f"replace: the result would exceed {MAX_OUTPUT} characters")


_SIZING_FILTERS = ("center", "indent", "batch", "slice", "format", "replace", "wordwrap")


# -- the environment ----------------------------------------------------------------------
class _Guards(NodeTransformer):
    """Rewrites a parsed template before it is compiled.

    Every loop iterates through ``_mm_steps`` (each item a step of the budget); what
    ``~`` builds goes through ``_mm_size``; and, unless the template assigns the name
    itself, each read of ``generated`` becomes a call of ``_mm_generated()``: jinja2
    resolves a template's names when it starts, so a plain name would compute the
    generated data even in a branch the request never takes.
    """

    def __init__(self, tree: nodes.Node) -> None:
        self.lazy = not any(
            node.name == "generated" and node.ctx != "load" for node in tree.find_all(nodes.Name)
        )

    def visit_Name(self, node: nodes.Name) -> nodes.Node:
        if self.lazy and node.name == "generated" and node.ctx == "load":
            name = nodes.Name("_mm_generated", "load", lineno=node.lineno)
            return nodes.Call(name, [], [], None, None, lineno=node.lineno)
        return node

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "_mm_steps", [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(node, "_mm_size", [], [], None, None, lineno=node.lineno)


class _Context(Context):
    """Resolves ``generated`` lazily: only a template that names it computes it."""

    def resolve_or_missing(self, key: str) -> Any:
        found = super().resolve_or_missing(key)
        if key == "generated" and found is missing:
            return _state().generated()
        return found


class _Sandbox(ImmutableSandboxedEnvironment):
    """jinja2's immutable sandbox with the budget of a render and the project's helpers."""

    context_class = _Context
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self) -> None:
        super().__init__(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)
        self.globals.pop("lipsum", None)  # unseeded and unbounded
        self.globals.update(_HELPERS)
        self.filters["tojson"] = _filter_tojson
        self.filters["random"] = _filter_random
        self.filters["_mm_steps"] = _filter_steps
        self.filters["_mm_size"] = _filter_size
        for name in _SIZING_FILTERS:
            self.filters[name] = _bounded(name, FILTERS[name])

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        guarded = _Guards(source).visit(source)  # templates and expressions both come here
        assert isinstance(guarded, nodes.Template)
        return super()._generate(guarded, name, filename, defer_init=defer_init)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(times, int)
                if sized and len(seq) * times > MAX_OUTPUT:
                    raise TemplateError(f"'*' would build more than {MAX_OUTPUT} items")
        elif operator == "**":
            ints = isinstance(left, int) and isinstance(right, int) and abs(left) > 1
            if ints and right * abs(left).bit_length() > 100_000:
                raise TemplateError("'**' would build a number of more than 100000 bits")
        elif operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise TemplateError(f"'%': a width above {_MAX_ARG} characters")
        return _sized(super().call_binop(context, operator, left, right))

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        _state().step()
        if id(obj) not in _OWN:
            name = getattr(obj, "__name__", "a call")
            _check_args(name, args, kwargs)
            # the sandbox hands str.format out wrapped: the string is its __wrapped__'s self
            text = getattr(getattr(obj, "__wrapped__", obj), "__self__", None)
            if not isinstance(text, str):
                pass
            elif name in ("format", "format_map") and _WIDE_FORMAT.search(text):
                raise TemplateError(f"format: a width above {_MAX_ARG} characters")
            elif name == "replace" and len(args) >= 2:
                _check_replace(text, args[0], args[1])
        return _sized(super().call(context, obj, *args, **kwargs))


@lru_cache(maxsize=1)
def _env() -> _Sandbox:
    return _Sandbox()


class _Leaf(NamedTuple):
    """One string of a template, compiled: a literal, an expression or a text template."""

    kind: str  # "literal", "native" (one expression: keeps its type), "text"
    template: Any  # the jinja2 Template (None for a literal)
    expression: Any  # the compiled expression of a "native" leaf


@lru_cache(maxsize=2048)
def _leaf(source: str) -> _Leaf:
    """``source`` compiled once (raises jinja2's ``TemplateSyntaxError``)."""
    if "{" not in source:
        return _Leaf("literal", None, None)
    env = _env()
    template = env.from_string(source)  # checks the whole string's syntax
    match = _NATIVE.fullmatch(source)
    if match is not None and _one_expression(env, source):
        return _Leaf("native", template, env.compile_expression(match.group(1), False))
    return _Leaf("text", template, None)


def _one_expression(env: _Sandbox, source: str) -> bool:
    """Whether ``source`` is one ``{{ ... }}`` and blanks: no other text, tags or comments."""
    begins = 0
    for _, kind, value in env.lex(source):
        if kind == "variable_begin":
            begins += 1
        elif (kind != "data" and kind.endswith("_begin")) or (kind == "data" and value.strip()):
            return False
    return begins == 1


# -- checking, at rule time ------------------------------------------------------------------
def problems(template: Any, where: tuple[str | int, ...]) -> list[FormProblem]:
    """What is wrong with ``template``: syntax errors and non-JSON values, each at its path."""
    found: list[FormProblem] = []
    _check(template, tuple(where), found, top=True)
    return found


def _check(value: Any, path: Path, found: list[FormProblem], *, top: bool = False) -> None:
    if isinstance(value, str):
        problem = _syntax(value)
        if problem:
            found.append(at(path, problem))
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                found.append(at(path, f"has a key {key!r} that is not a string"))
                continue
            problem = _syntax(key)
            if problem:
                found.append(at((*path, key), f"has a key that {problem}"))
            _check(item, (*path, key), found)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, (*path, index), found)
    elif isinstance(value, float) and not math.isfinite(value):
        found.append(at(path, f"is {value}, which JSON cannot carry"))
    elif value is None or isinstance(value, bool | int | float):
        return
    else:
        found.append(at(path, f"is {_kind(value)}, not a JSON value or a template"))


def _syntax(source: str) -> str:
    """'' when ``source`` compiles; else what jinja2 says is wrong, with the line."""
    try:
        _leaf(source)
    except TemplateSyntaxError as exc:
        return f"is not a valid template: line {exc.lineno}: {exc.message}"
    return ""


# -- the request, as templates see it --------------------------------------------------------
class _Headers(dict[str, str]):
    """Request headers: a dict whose lookups ignore case (``headers['x-trace-id']``)."""

    __slots__ = ("_lower",)

    def __init__(self, pairs: Mapping[str, str]) -> None:
        super().__init__(pairs)
        self._lower = {key.lower(): value for key, value in pairs.items()}

    def __getitem__(self, key: str) -> str:
        return self._lower[key.lower()] if isinstance(key, str) else super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._lower

    def get(self, key: str, default: Any = None) -> Any:
        return self._lower.get(key.lower(), default) if isinstance(key, str) else default


def request_view(request: MockRequest | None, path_params: Mapping[str, str]) -> dict[str, Any]:
    """What templates see as ``request``: plain dicts and strings, built once per render."""
    if request is None:
        return {
            "method": "",
            "path": dict(path_params),
            "url_path": "",
            "query": {},
            "query_all": {},
            "headers": _Headers({}),
            "cookies": {},
            "json": None,
            "body": "",
        }
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    query_all = {name: list(values) for name, values in request.query.lists()}
    body = request.body.decode("utf-8", errors="replace") if request.body else ""
    parsed: Any = None
    ctype = request.content_type
    if body and (not ctype or "json" in ctype):
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    return {
        "method": request.method,
        "path": dict(path_params),
        "url_path": request.path,
        "query": {name: values[0] for name, values in query_all.items() if values},
        "query_all": query_all,
        "headers": _Headers(headers),
        "cookies": dict(request.cookies),
        "json": parsed,
        "body": body,
    }


# -- rendering ------------------------------------------------------------------------------
def render(
    template: Any,
    request: Mapping[str, Any],
    *,
    seed: int,
    material: str,
    generated: Callable[[], Any],
) -> Any:
    """``template`` rendered for one request: a ``str`` for text, else a JSON value."""
    state = _Render(seed, material, generated)
    token = _RENDER.set(state)
    try:
        names = {"request": request}
        if isinstance(template, str):
            return _text(template, names, (_ROOT,), state)
        return _value(template, names, (_ROOT,), state)
    finally:
        _RENDER.reset(token)


def _value(value: Any, names: dict[str, Any], path: Path, state: _Render) -> Any:
    if isinstance(value, str):
        leaf = _compiled(value, path)
        if leaf.kind != "native":
            return _text(value, names, path, state)
        result = _run(lambda: leaf.expression(**names), path)
        return _run(lambda: _jsonable(result, state), path)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = _text(key, names, (*path, key), state, key=True)
            if name in out:
                raise _Placed(f"{_where((*path, key))}: two keys render to {name!r}")
            out[name] = _value(item, names, (*path, key), state)
        return out
    if isinstance(value, list | tuple):
        return [_value(item, names, (*path, i), state) for i, item in enumerate(value)]
    return value


def _text(
    source: str, names: dict[str, Any], path: Path, state: _Render, *, key: bool = False
) -> str:
    leaf = _compiled(source, path, key=key)
    if leaf.kind == "literal":
        state.emit(len(source))
        return source
    template = leaf.template

    def run() -> str:
        parts: list[str] = []
        for chunk in template.generate(**names):
            state.emit(len(chunk))
            parts.append(chunk)
        return "".join(parts)

    return str(_run(run, path, key=key))


def _compiled(source: str, path: Path, *, key: bool = False) -> _Leaf:
    try:
        return _leaf(source)
    except TemplateSyntaxError as exc:  # rules are checked when made; a stored one may not be
        part = f"{_where(path)} (key)" if key else _where(path)
        raise _Placed(f"{part}, line {exc.lineno}: {exc.message}") from None


def _run(work: Callable[[], Any], path: Path, *, key: bool = False) -> Any:
    """``work()``, with every failure turned into a ``TemplateError`` naming the part."""
    part = f"{_where(path)} (key)" if key else _where(path)
    try:
        return work()
    except _Placed:
        raise
    except TemplateError as exc:
        raise _Placed(f"{part}{_line(exc)}: {exc}") from None
    except SecurityError as exc:
        raise _Placed(f"{part}{_line(exc)}: refused by the sandbox: {_clean(str(exc))}") from None
    except JinjaError as exc:
        raise _Placed(f"{part}{_line(exc)}: {_clean(str(exc))}") from None
    except RecursionError:
        raise _Placed(f"{part}: the template recurses too deeply") from None
    except MemoryError:
        raise _Placed(f"{part}: the template needs too much memory") from None
    except Exception as exc:
        raise _Placed(f"{part}{_line(exc)}: {type(exc).__name__}: {_clean(str(exc))}") from None


def _line(exc: BaseException) -> str:
    """``, line N`` of the template where ``exc`` happened, when the traceback says."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == "<template>":
            line = frame.lineno
    return f", line {line}" if line else ""


def _where(path: Path) -> str:
    return FormProblem(path, "").field


def _clean(message: str) -> str:
    """``message`` without Python object reprs (``<function f at 0x...>``)."""
    return _REPR.sub("<object>", message)


def _kind(value: Any) -> str:
    return f"a {type(value).__name__}"


def _sized(value: Any) -> Any:
    """``value``, unless it is a string or collection longer than ``MAX_OUTPUT``."""
    sizable = isinstance(value, str | bytes | list | tuple | dict | set | frozenset)
    if sizable and len(value) > MAX_OUTPUT:
        raise TemplateError(f"a value of more than {MAX_OUTPUT} items")
    return value


def _jsonable(value: Any, state: _Render | None = None) -> Any:
    """``value`` as plain JSON data (dates to ISO text, tuples to lists) or a TemplateError."""
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises, naming what is missing
        return None
    if isinstance(value, str):
        if state is not None:
            state.emit(len(value))
        return str(value)  # a Markup is a str subclass
    if value is None or isinstance(value, bool | int):
        if state is not None:
            state.emit(8)
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TemplateError(f"{value} is not a JSON number")
        if state is not None:
            state.emit(8)
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, Undefined):
                str(key)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise TemplateError(f"a key of {_kind(key)} is not JSON")
            out[key if isinstance(key, str) else json.dumps(key)] = _jsonable(item, state)
        return out
    if isinstance(value, list | tuple):
        return [_jsonable(item, state) for item in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, _uuid.UUID):
        return str(value)
    raise TemplateError(f"the value is {_kind(value)}, not JSON; convert it (| string)")
