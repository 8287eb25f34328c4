"""Command-line options and ini keys, declared once in ``OPTIONS`` and resolved into a
frozen ``Settings``.

Each ``Option`` row makes its ``--mockamocha-*`` option, its ``mockamocha_*`` ini twin
(so no option can lack one) and its resolution: the command line wins over an
environment variable (the token's), which wins over the ini file, which wins over the
default. Markers refine per test.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pytest_mockamocha._defaults import DEFAULT_HOST, DEFAULT_MAX_BODY, SERVER_KINDS
from pytest_mockamocha.analytics.targets import ReportTarget, parse_target
from pytest_mockamocha.errors import ConfigError
from pytest_mockamocha.server.config import Document, parse_document, parse_origin, parse_proxy
from pytest_mockamocha.spec.slug import slugify


@dataclass(frozen=True, slots=True)
class Settings:
    """The session's resolved mockamocha configuration."""

    specs: tuple[Document, ...] = ()
    strict: bool = True
    seed: int = 0
    host: str = DEFAULT_HOST
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
    #: keep compiled documents between runs (``spec/cache.py``), in ``cache_dir``
    cache: bool = True
    cache_dir: Path | None = None
    #: origins whose pages may call the session's management API with a cookie
    cors_origins: tuple[str, ...] = ()

    @property
    def compiled_cache(self) -> Path | None:
        """Where compiled documents are kept: ``cache_dir``, else ``$MOCKAMOCHA_CACHE_DIR``,
        else the user's cache folder; None when the cache is off."""
        if not self.cache:
            return None
        if self.cache_dir is not None:
            return self.cache_dir
        from pytest_mockamocha.spec.cache import default_root

        return default_root()


#: how a value's text becomes the setting: (text, the folder relative paths start from)
Parse = Callable[[str, Path], Any]


@dataclass(frozen=True, slots=True)
class Option:
    """One setting: its option and ini key, how its text parses, and its default."""

    name: str  # the option's and the ini key's name: "max_body"
    help: str
    ini_help: str
    parse: Parse = lambda text, base: text
    metavar: str | None = None
    #: repeatable on the command line, one value per line in the ini file
    many: bool = False
    default: Any = None
    #: an environment variable read between the command line and the ini file
    env: str | None = None
    #: the ``Settings`` field it sets, when not ``name``
    field: str | None = None
    #: for a true/false setting: the help of its ``--mockamocha-no-*`` twin
    no_help: str = ""
    #: more spellings of that twin (``--no-mockamocha-cache``)
    no_aliases: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        """``--mockamocha-max-body``."""
        return "--mockamocha-" + self.name.replace("_", "-")

    @property
    def ini(self) -> str:
        """``mockamocha_max_body``."""
        return f"mockamocha_{self.name}"

    @property
    def dest(self) -> str:
        return f"mockamocha_{self.name}"


# -- parsers: text in, a value out, ValueError (or ConfigError) for nonsense ------------------
def _port(text: str, base: Path) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError(f"port must be 0-65535, not {value}")
    return value


def _seed(text: str, base: Path) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"seed must be an integer, not {text!r}") from None


def _size(text: str, base: Path) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("the body limit must be a positive number of bytes")
    return value


def _server(text: str, base: Path) -> str:
    if text not in SERVER_KINDS:
        raise ValueError(f"choose one of {', '.join(SERVER_KINDS)}")
    return text


def _percent(text: str, base: Path) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"expected a percentage, not {text!r}") from None
    if not 0 <= value <= 100:
        raise ValueError(f"the percentage must be 0-100, not {value:g}")
    return value


def _path(text: str, base: Path) -> Path:
    path = Path(str(text).strip()).expanduser()
    return path if path.is_absolute() else base / path


OPTIONS: tuple[Option, ...] = (
    Option(
        "spec",
        "an OpenAPI document (or a folder of them) to mock; repeatable",
        "OpenAPI documents to mock ([SLUG=]PATH per line, relative to the rootdir)",
        parse=parse_document,
        metavar="[SLUG=]PATH",
        many=True,
        field="specs",
    ),
    Option(
        "strict",
        "fail a test whose requests match no operation or break the contract (default)",
        "strict mode (default true)",
        default=True,
        no_help="only report such requests in the summary",
    ),
    Option(
        "seed",
        "seed for generated data (default 0: runs are reproducible)",
        "seed for generated data",
        parse=_seed,
        metavar="N",
        default=0,
    ),
    Option(
        "host",
        f"address the mock server binds (default {DEFAULT_HOST})",
        "address the mock server binds",
        metavar="HOST",
        default=DEFAULT_HOST,
    ),
    Option(
        "port",
        "port the mock server binds (default 0: an ephemeral port)",
        "port the mock server binds (0: ephemeral)",
        parse=_port,
        metavar="PORT",
        default=0,
    ),
    Option(
        "server",
        "WSGI server: waitress (keep-alive, default) or werkzeug",
        "waitress or werkzeug",
        parse=_server,
        metavar="NAME",
        default="waitress",
    ),
    Option(
        "max_body",
        f"largest request body the mock reads (default {DEFAULT_MAX_BODY})",
        "largest request body in bytes",
        parse=_size,
        metavar="BYTES",
        default=DEFAULT_MAX_BODY,
    ),
    Option(
        "report",
        "request-coverage report: term (default), term-missing, json, html, markdown or junit, "
        "optionally with a path (default mockamocha-report.<ext> in the rootdir); repeatable",
        "request-coverage reports (FMT[:PATH] per line, paths relative to the rootdir)",
        parse=parse_target,
        metavar="FMT[:PATH]",
        many=True,
        default=(ReportTarget("term"),),
        field="reports",
    ),
    Option(
        "fail_under",
        "fail the session when operation coverage is below PCT percent",
        "fail when operation coverage is below this percent",
        parse=_percent,
        metavar="PCT",
    ),
    Option(
        "remote",
        "load collections, endpoints and stored rules from a MockaMocha server",
        "a MockaMocha server to load collections from",
        metavar="URL",
    ),
    Option(
        "token",
        "JWT or API key for --mockamocha-remote (default: $MOCKAMOCHA_TOKEN)",
        "token for mockamocha_remote (prefer $MOCKAMOCHA_TOKEN: ini files get committed)",
        metavar="TOKEN",
        env="MOCKAMOCHA_TOKEN",
    ),
    Option(
        "collection",
        "with --mockamocha-remote: only this collection (name or slug); repeatable",
        "collections to load from mockamocha_remote",
        metavar="NAME",
        many=True,
        field="remote_collections",
    ),
    Option(
        "rules",
        "a YAML rule file whose rules apply to every test; repeatable",
        "YAML rule files (one path per line)",
        parse=_path,
        metavar="PATH",
        many=True,
    ),
    Option(
        "proxy",
        "forward requests no rule answers to the real API at URL, checking its answers "
        "against the spec; repeatable",
        "SLUG=URL per line: proxy to real APIs",
        parse=lambda text, base: parse_proxy(text),
        metavar="SLUG=URL",
        many=True,
        field="proxies",
    ),
    Option(
        "record",
        "with --mockamocha-proxy: write the proxied exchanges to PATH as a rule file",
        "rule file the proxied exchanges are written to",
        parse=_path,
        metavar="PATH",
    ),
    Option(
        "stateful",
        "answer the collection's CRUD paths from a store (reset per test); repeatable",
        "stateful collections (slug per line)",
        parse=lambda text, base: slugify(text),
        metavar="SLUG",
        many=True,
    ),
    Option(
        "cache",
        "keep compiled documents between runs (default)",
        "keep compiled documents between runs (default true)",
        default=True,
        no_help="compile every document afresh and keep nothing",
        no_aliases=("--no-mockamocha-cache",),
    ),
    Option(
        "cache_dir",
        "where compiled documents are kept (default: $MOCKAMOCHA_CACHE_DIR, else the user's "
        "cache folder)",
        "where compiled documents are kept",
        parse=_path,
        metavar="PATH",
    ),
    Option(
        "cors_origin",
        "an origin whose pages may call the session's management API with a cookie; "
        "repeatable (any origin may use a token)",
        "origins whose pages may call the management API with a cookie",
        parse=lambda text, base: parse_origin(text),
        metavar="ORIGIN",
        many=True,
        field="cors_origins",
    ),
)
#: what each ``ServerConfig`` field is called on pytest's command line (for ConfigError)
OPTION_NAMES = {"spec": "--mockamocha-spec", "proxies": "--mockamocha-proxy"} | {
    option.field or option.name: option.flag for option in OPTIONS
}


def addoption(parser: pytest.Parser) -> None:
    """Register every option under one group, and its ini twin."""
    group = parser.getgroup("mockamocha", "contract-checked mock APIs from OpenAPI documents")
    for option in OPTIONS:
        if isinstance(option.default, bool):
            group.addoption(
                option.flag, action="store_true", default=None, dest=option.dest, help=option.help
            )
            group.addoption(
                f"--mockamocha-no-{option.name}",
                *option.no_aliases,
                action="store_false",
                dest=option.dest,
                help=option.no_help,
            )
            parser.addini(option.ini, option.ini_help, type="bool", default=option.default)
            continue
        group.addoption(
            option.flag,
            action="append" if option.many else "store",
            default=[] if option.many else None,
            type=_checked(option),
            metavar=option.metavar,
            dest=option.dest,
            help=option.help,
        )
        if option.many:
            parser.addini(option.ini, option.ini_help, type="linelist", default=[])
        else:
            parser.addini(option.ini, option.ini_help, default="")


def _checked(option: Option) -> Callable[[str], str]:
    """argparse's ``type=``: refuse nonsense at once, keep the text (its paths are taken
    from the invocation folder once, in ``resolve``)."""

    def check(text: str) -> str:
        try:
            option.parse(text, Path.cwd())
        except (ValueError, ConfigError) as exc:
            raise argparse.ArgumentTypeError(_reason(exc)) from None
        return text

    check.__name__ = option.name  # argparse names the type in its messages
    return check


def resolve(config: pytest.Config) -> Settings:
    """Command line > environment > ini > default, checked; bad ini values are usage errors."""
    return Settings(**{option.field or option.name: _value(config, option) for option in OPTIONS})


def _value(config: pytest.Config, option: Option) -> Any:
    given = getattr(config.option, option.dest)
    if isinstance(given, bool):
        return given
    if given not in (None, []):
        texts = given if option.many else [given]
        parsed = [option.parse(text, config.invocation_params.dir) for text in texts]
        return tuple(parsed) if option.many else parsed[0]
    if option.env and os.environ.get(option.env):
        return os.environ[option.env]
    ini = config.getini(option.ini)
    if isinstance(ini, bool):
        return ini
    texts = [str(t).strip() for t in (ini if option.many else [ini])]
    parsed = []
    for text in filter(None, texts):
        try:
            parsed.append(option.parse(text, config.rootpath))
        except (ValueError, ConfigError) as exc:
            raise pytest.UsageError(
                f"mockamocha: invalid ini value: {option.ini} = {text!r}: {_reason(exc)}"
            ) from None
    if not parsed:
        return option.default if option.default is not None or not option.many else ()
    return tuple(parsed) if option.many else parsed[0]


def _reason(exc: Exception) -> str:
    return exc.worded(OPTION_NAMES) if isinstance(exc, ConfigError) else str(exc)
