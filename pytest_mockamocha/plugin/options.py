"""Command-line options and ini keys, resolved once into a frozen ``Settings``.

Every option has an ini twin (``--mockamocha-seed`` <-> ``mockamocha_seed``); the command
line wins over the ini file, which wins over the default. Markers refine per test.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest

from pytest_mockamocha._defaults import DEFAULT_MAX_BODY, SERVER_KINDS
from pytest_mockamocha.spec.slug import slugify

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SpecRef:
    """A spec named on the command line or in the ini file: optional slug, and a path."""

    path: Path
    slug: str | None = None


REPORT_FORMATS = ("term", "term-missing", "json", "html", "markdown", "junit")


@dataclass(frozen=True, slots=True)
class ReportTarget:
    """A report to write: its format and, for files, the path (None: the default name)."""

    format: str
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    """The session's resolved mockamocha configuration."""

    specs: tuple[SpecRef, ...] = ()
    strict: bool = True
    seed: int = 0
    host: str = "127.0.0.1"
    port: int = 0
    server: str = "waitress"
    max_body: int = DEFAULT_MAX_BODY
    reports: tuple[ReportTarget, ...] = (ReportTarget("term"),)
    fail_under: float | None = None
    #: a MockaMocha server whose collections (and stored rules) this session serves
    remote: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    remote_collections: tuple[str, ...] = ()
    #: YAML rule files loaded at start (their rules apply to every test)
    rules: tuple[Path, ...] = ()
    #: (slug, upstream URL): requests no rule answers go to the real API
    proxies: tuple[tuple[str, str], ...] = ()
    #: where proxied exchanges are written as a rule file at the end of the session
    record: Path | None = None
    #: collections answered from a resource store (reset for every test)
    stateful: tuple[str, ...] = ()
    #: where compiled documents and structural verdicts are kept (None: nowhere)
    cache_dir: Path | None = None
    #: origins whose pages may call the session's management API with a cookie
    cors_origins: tuple[str, ...] = ()


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, not {value}")
    return value


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be an integer, not {text!r}") from None


def _size(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("the body limit must be a positive number of bytes")
    return value


def _server(text: str) -> str:
    if text not in SERVER_KINDS:
        raise argparse.ArgumentTypeError(f"choose one of {', '.join(SERVER_KINDS)}")
    return text


def _report(text: str) -> str:
    fmt, _, path = text.strip().partition(":")
    if fmt not in REPORT_FORMATS:
        raise argparse.ArgumentTypeError(
            f"report format must be one of {', '.join(REPORT_FORMATS)}, not {fmt!r}"
        )
    if fmt in ("term", "term-missing") and path:
        raise argparse.ArgumentTypeError(f"the {fmt} report takes no path")
    return text.strip()


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentage, not {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"the percentage must be 0-100, not {value:g}")
    return value


def parse_report(text: str, base: Path) -> ReportTarget:
    """``FMT`` or ``FMT:PATH``, a relative path taken from ``base``."""
    fmt, _, path = _report(text).partition(":")
    if not path:
        return ReportTarget(fmt)
    target = Path(path).expanduser()
    return ReportTarget(fmt, target if target.is_absolute() else base / target)


def addoption(parser: pytest.Parser) -> None:
    """Register the options under their own group, each with an ini twin."""
    group = parser.getgroup("mockamocha", "contract-checked mock APIs from OpenAPI documents")
    group.addoption(
        "--mockamocha-spec",
        action="append",
        default=[],
        metavar="[SLUG=]PATH",
        help="an OpenAPI document (or a folder of them) to mock; repeatable",
    )
    group.addoption(
        "--mockamocha-strict",
        action="store_true",
        default=None,
        dest="mockamocha_strict",
        help="fail a test whose requests match no operation or break the contract (default)",
    )
    group.addoption(
        "--mockamocha-no-strict",
        action="store_false",
        dest="mockamocha_strict",
        help="only report such requests in the summary",
    )
    group.addoption(
        "--mockamocha-seed",
        type=_seed,
        default=None,
        metavar="N",
        help="seed for generated data (default 0: runs are reproducible)",
    )
    group.addoption(
        "--mockamocha-host",
        default=None,
        metavar="HOST",
        help="address the mock server binds (default 127.0.0.1)",
    )
    group.addoption(
        "--mockamocha-port",
        type=_port,
        default=None,
        metavar="PORT",
        help="port the mock server binds (default 0: an ephemeral port)",
    )
    group.addoption(
        "--mockamocha-server",
        type=_server,
        default=None,
        metavar="NAME",
        help="WSGI server: waitress (keep-alive, default) or werkzeug",
    )
    group.addoption(
        "--mockamocha-max-body",
        type=_size,
        default=None,
        metavar="BYTES",
        help=f"largest request body the mock reads (default {DEFAULT_MAX_BODY})",
    )
    group.addoption(
        "--mockamocha-report",
        action="append",
        type=_report,
        default=[],
        metavar="FMT[:PATH]",
        help="request-coverage report: term (default), json, html, markdown or junit, "
        "optionally with a path (default mockamocha-report.<ext> in the rootdir); repeatable",
    )
    group.addoption(
        "--mockamocha-fail-under",
        type=_percent,
        default=None,
        metavar="PCT",
        help="fail the session when operation coverage is below PCT percent",
    )
    parser.addini(
        "mockamocha_spec",
        "OpenAPI documents to mock ([SLUG=]PATH per line, relative to the rootdir)",
        type="linelist",
        default=[],
    )
    parser.addini("mockamocha_strict", "strict mode (default true)", type="bool", default=True)
    parser.addini("mockamocha_seed", "seed for generated data", default="0")
    parser.addini("mockamocha_host", "address the mock server binds", default="127.0.0.1")
    parser.addini("mockamocha_port", "port the mock server binds (0: ephemeral)", default="0")
    parser.addini("mockamocha_server", "waitress or werkzeug", default="waitress")
    parser.addini(
        "mockamocha_max_body", "largest request body in bytes", default=str(DEFAULT_MAX_BODY)
    )
    parser.addini(
        "mockamocha_report",
        "request-coverage reports (FMT[:PATH] per line, paths relative to the rootdir)",
        type="linelist",
        default=[],
    )
    parser.addini(
        "mockamocha_fail_under", "fail when operation coverage is below this percent", default=""
    )
    group.addoption(
        "--mockamocha-remote",
        default=None,
        metavar="URL",
        help="load collections, endpoints and stored rules from a MockaMocha server",
    )
    group.addoption(
        "--mockamocha-token",
        default=None,
        metavar="TOKEN",
        help="JWT or API key for --mockamocha-remote (default: $MOCKAMOCHA_TOKEN)",
    )
    group.addoption(
        "--mockamocha-collection",
        action="append",
        default=[],
        metavar="NAME",
        help="with --mockamocha-remote: only this collection (name or slug); repeatable",
    )
    group.addoption(
        "--mockamocha-rules",
        action="append",
        default=[],
        metavar="PATH",
        help="a YAML rule file whose rules apply to every test; repeatable",
    )
    group.addoption(
        "--mockamocha-proxy",
        action="append",
        type=_proxy,
        default=[],
        metavar="SLUG=URL",
        help="forward requests no rule answers to the real API at URL, checking its answers "
        "against the spec; repeatable",
    )
    group.addoption(
        "--mockamocha-record",
        default=None,
        metavar="PATH",
        help="with --mockamocha-proxy: write the proxied exchanges to PATH as a rule file",
    )
    group.addoption(
        "--mockamocha-stateful",
        action="append",
        default=[],
        metavar="SLUG",
        help="answer the collection's CRUD paths from a store (reset per test); repeatable",
    )
    group.addoption(
        "--mockamocha-cache-dir",
        default=None,
        metavar="PATH",
        help="where compiled documents are kept between runs (default: $MOCKAMOCHA_CACHE_DIR, "
        "else the user's cache folder)",
    )
    group.addoption(
        "--no-mockamocha-cache",
        action="store_false",
        default=None,
        dest="mockamocha_cache",
        help="compile every document afresh and keep nothing",
    )
    group.addoption(
        "--mockamocha-cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="an origin whose pages may call the session's management API with a cookie; "
        "repeatable (any origin may use a token)",
    )
    parser.addini(
        "mockamocha_cors_origin",
        "origins whose pages may call the management API with a cookie",
        type="linelist",
        default=[],
    )
    parser.addini("mockamocha_cache_dir", "where compiled documents are kept", default="")
    parser.addini(
        "mockamocha_cache", "keep compiled documents (default true)", type="bool", default=True
    )
    parser.addini("mockamocha_rules", "YAML rule files (one path per line)", type="linelist")
    parser.addini("mockamocha_proxy", "SLUG=URL per line: proxy to real APIs", type="linelist")
    parser.addini("mockamocha_record", "rule file the proxied exchanges are written to")
    parser.addini("mockamocha_stateful", "stateful collections (slug per line)", type="linelist")
    parser.addini("mockamocha_remote", "a MockaMocha server to load collections from", default="")
    parser.addini(
        "mockamocha_token",
        "token for mockamocha_remote (prefer $MOCKAMOCHA_TOKEN: ini files get committed)",
        default="",
    )
    parser.addini(
        "mockamocha_collection",
        "collections to load from mockamocha_remote",
        type="linelist",
        default=[],
    )


def _proxy(text: str) -> tuple[str, str]:
    """``SLUG=URL`` with an http(s) URL."""
    slug, sep, url = text.partition("=")
    if not sep or not slug.strip() or not url.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not SLUG=URL with an http:// or https:// URL"
        )
    return slugify(slug.strip()), url.strip()


def _paths(texts: list[str], base: Path) -> tuple[Path, ...]:
    out = []
    for text in texts:
        path = Path(str(text).strip()).expanduser()
        out.append(path if path.is_absolute() else base / path)
    return tuple(out)


def parse_spec_ref(text: str, base: Path) -> SpecRef:
    """``slug=path`` or ``path``, relative paths taken from ``base``."""
    slug, sep, path = text.partition("=")
    if not sep or "/" in slug or "\\" in slug or not slug.strip():
        slug, path = "", text
    target = Path(path.strip()).expanduser()
    if not target.is_absolute():
        target = base / target
    return SpecRef(target, slugify(slug) if slug.strip() else None)


def resolve(config: pytest.Config) -> Settings:
    """Command line > ini > default, checked; bad ini values are usage errors."""
    opt = config.option
    cli_specs = [parse_spec_ref(s, config.invocation_params.dir) for s in opt.mockamocha_spec]
    ini_specs = [parse_spec_ref(s, config.rootpath) for s in config.getini("mockamocha_spec")]
    strict = opt.mockamocha_strict
    try:
        return Settings(
            specs=tuple(cli_specs or ini_specs),
            strict=bool(config.getini("mockamocha_strict")) if strict is None else strict,
            seed=_pick(config, "seed", _seed),
            host=opt.mockamocha_host or str(config.getini("mockamocha_host")),
            port=_pick(config, "port", _port),
            server=_pick(config, "server", _server),
            max_body=_pick(config, "max_body", _size),
            reports=_reports(config),
            fail_under=_fail_under(config),
            remote=opt.mockamocha_remote or str(config.getini("mockamocha_remote")) or None,
            token=(
                opt.mockamocha_token
                or os.environ.get("MOCKAMOCHA_TOKEN")
                or str(config.getini("mockamocha_token"))
                or None
            ),
            remote_collections=tuple(
                opt.mockamocha_collection or config.getini("mockamocha_collection")
            ),
            rules=_paths(opt.mockamocha_rules, config.invocation_params.dir)
            or _paths(config.getini("mockamocha_rules"), config.rootpath),
            proxies=_proxies(config),
            record=_record(config),
            stateful=tuple(
                slugify(s) for s in opt.mockamocha_stateful or config.getini("mockamocha_stateful")
            ),
            cache_dir=_cache_dir(config),
            cors_origins=tuple(
                o.rstrip("/")
                for o in opt.mockamocha_cors_origin or config.getini("mockamocha_cors_origin")
            ),
        )
    except _IniError as exc:
        raise pytest.UsageError(f"mockamocha: invalid ini value: {exc}") from None


def _proxies(config: pytest.Config) -> tuple[tuple[str, str], ...]:
    if config.option.mockamocha_proxy:
        return tuple(config.option.mockamocha_proxy)
    found = []
    for text in config.getini("mockamocha_proxy"):
        try:
            found.append(_proxy(str(text)))
        except argparse.ArgumentTypeError as exc:
            raise _IniError(f"mockamocha_proxy = {text!r}: {exc}") from None
    return tuple(found)


def _record(config: pytest.Config) -> Path | None:
    if config.option.mockamocha_record:
        return _paths([config.option.mockamocha_record], config.invocation_params.dir)[0]
    text = str(config.getini("mockamocha_record")).strip()
    return _paths([text], config.rootpath)[0] if text else None


def _cache_dir(config: pytest.Config) -> Path | None:
    """The compiled-document cache: off with ``--no-mockamocha-cache`` (or the ini's
    ``mockamocha_cache = false``); else the option's folder, the ini's, or the default."""
    enabled = config.option.mockamocha_cache
    if enabled is None:
        enabled = bool(config.getini("mockamocha_cache"))
    if not enabled:
        return None
    if config.option.mockamocha_cache_dir:
        return _paths([config.option.mockamocha_cache_dir], config.invocation_params.dir)[0]
    text = str(config.getini("mockamocha_cache_dir")).strip()
    if text:
        return _paths([text], config.rootpath)[0]
    from pytest_mockamocha.spec.cache import default_root

    return default_root()


def _reports(config: pytest.Config) -> tuple[ReportTarget, ...]:
    cli = [parse_report(s, config.invocation_params.dir) for s in config.option.mockamocha_report]
    if cli:
        return tuple(cli)
    ini = []
    for text in config.getini("mockamocha_report"):
        try:
            ini.append(parse_report(str(text), config.rootpath))
        except argparse.ArgumentTypeError as exc:
            raise _IniError(f"mockamocha_report = {text!r}: {exc}") from None
    return tuple(ini) or (ReportTarget("term"),)


def _fail_under(config: pytest.Config) -> float | None:
    if config.option.mockamocha_fail_under is not None:
        return float(config.option.mockamocha_fail_under)
    text = str(config.getini("mockamocha_fail_under")).strip()
    return _pick(config, "fail_under", _percent) if text else None


class _IniError(Exception):
    """An ini value that does not parse, with the key it came from."""


def _pick(config: pytest.Config, name: str, parse: Callable[[str], T]) -> T:
    cli = getattr(config.option, f"mockamocha_{name}")
    if cli is not None:
        return cli  # type: ignore[no-any-return]
    text = str(config.getini(f"mockamocha_{name}")).strip()
    try:
        return parse(text)
    except (ValueError, argparse.ArgumentTypeError) as exc:
        raise _IniError(f"mockamocha_{name} = {text!r}: {exc}") from None
