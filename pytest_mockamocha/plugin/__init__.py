"""pytest glue: options, the marker, fixtures and the summary, over plain objects.

Loaded through the ``pytest11`` entry point ``mockamocha``. Everything heavy (the
engine, openapi-core, the server) is imported only once a spec or a fixture needs it,
so a suite that never mocks pays nothing for having the plugin installed.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_mockamocha.plugin import options
from pytest_mockamocha.plugin.reporting import Outcome

if TYPE_CHECKING:
    from pytest_mockamocha.handle import Mockamocha
    from pytest_mockamocha.plugin.session import MockamochaSession
    from pytest_mockamocha.sdk import Client
    from pytest_mockamocha.server.config import Document
    from pytest_mockamocha.server.runtime import MockServer

settings_key = pytest.StashKey[options.Settings]()
stash_key = pytest.StashKey["MockamochaSession"]()
outcome_key = pytest.StashKey[Outcome]()

MARKER_ARGS = frozenset({"spec", "collection", "strict", "seed"})


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--mockamocha-*`` options and their ini keys."""
    options.addoption(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, resolve settings, and load the configured specs."""
    config.addinivalue_line(
        "markers",
        "mockamocha(spec=None, collection=None, strict=None, seed=None): add specs to the "
        "mock server or change mockamocha settings for the marked tests",
    )
    settings = options.resolve(config)
    config.stash[settings_key] = settings
    documents = list(settings.specs)
    if settings.remote:
        from pytest_mockamocha.plugin.remote import remote_documents

        documents += remote_documents(
            settings.remote, settings.token, settings.remote_collections
        )
    behaviours = settings.rules or settings.proxies or settings.stateful or settings.record
    if documents or behaviours:
        _session(config, documents).rule_warnings(config)


def _session(config: pytest.Config, documents: Sequence[Document] = ()) -> MockamochaSession:
    """The session's mock state, made on first need (with the configured documents)."""
    session = config.stash.get(stash_key, None)
    if session is None:
        from pytest_mockamocha.plugin.session import MockamochaSession

        settings = config.stash[settings_key]
        session = MockamochaSession(settings, settings.compiled_cache, documents)
        config.stash[stash_key] = session
    return session


def pytest_unconfigure(config: pytest.Config) -> None:
    """Write the proxy recording, and stop the server."""
    session = config.stash.get(stash_key, None)
    if session is not None:
        worker = getattr(config, "workerinput", {}).get("workerid")
        session.write_recording(worker)
        session.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tag every request from here on with the running test's node id."""
    session = item.config.stash.get(stash_key, None)
    if session is not None:
        session.engine.begin_test(item.nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """Strict mode: a test that passed fails if its requests broke the contract."""
    result = yield
    handle = getattr(item, "funcargs", {}).get("mockamocha")
    if handle is not None and getattr(handle, "strict", False):
        problems = handle.problems()
        if problems:
            from pytest_mockamocha.handle import strict_failure_text

            _session(item.config).strict_failures += 1
            pytest.fail(strict_failure_text(problems), pytrace=False)
    return result


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Stop tagging requests with the test that ended."""
    session = item.config.stash.get(stash_key, None)
    if session is not None and session.engine.current_test == item.nodeid:
        session.engine.end_test()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A worker ships its numbers; the controller (after merging them) or a plain run
    writes the reports and applies ``--mockamocha-fail-under``."""
    config = session.config
    state = config.stash.get(stash_key, None)
    if state is None:
        return
    from pytest_mockamocha.plugin import reporting

    output = getattr(config, "workeroutput", None)
    if output is not None:
        output["mockamocha"] = reporting.collect(state.engine)
        return
    if state.worker_summaries:  # xdist workers are down by now: testnodedown ran
        summary = reporting.merge(state.worker_summaries)
        base = None
    else:
        summary = reporting.collect(state.engine)
        base = state.server.url if state.started else None
    if not summary:
        return
    outcome = reporting.finish(summary, config.stash[settings_key], config.rootpath, base)
    config.stash[outcome_key] = outcome
    if outcome.verdict and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the xdist controller, keep what each worker shipped (a crashed one ships nothing)."""
    shipped = getattr(node, "workeroutput", {}).get("mockamocha")
    if shipped is not None:
        _session(node.config).worker_summaries.append(shipped)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Per collection: requests, coverage, gaps and violations; report files; the verdict."""
    outcome = config.stash.get(outcome_key, None)
    if outcome is None or hasattr(config, "workerinput"):
        return
    from pytest_mockamocha.plugin import reporting

    lines = reporting.outcome_lines(outcome, config.stash[settings_key])
    if lines:
        terminalreporter.write_sep("=", "mockamocha")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def mockamocha_server(pytestconfig: pytest.Config) -> MockServer:
    """The running mock server: ``url``, ``port``, ``url_for``, ``engine``, ``admin_token``."""
    return _session(pytestconfig).ensure_started()


@pytest.fixture(scope="session")
def mockamocha_client(mockamocha_server: MockServer) -> Iterator[Client]:
    """The Python SDK client of the session's server, logged in as its administrator."""
    from pytest_mockamocha.sdk import Client

    with Client(mockamocha_server.url, token=mockamocha_server.admin_token) as client:
        yield client


@pytest.fixture
def mockamocha(
    request: pytest.FixtureRequest, mockamocha_server: MockServer
) -> Iterator[Mockamocha]:
    """This test's handle: URLs, ``when(...)`` rules, its requests and assertions."""
    from pytest_mockamocha.errors import MockamochaError
    from pytest_mockamocha.handle import Mockamocha

    session = _session(request.config)
    settings = _marker_settings(request.node, session)
    try:
        handle = Mockamocha(mockamocha_server, test=request.node.nodeid, **settings)
    except MockamochaError as exc:
        pytest.fail(f"mockamocha: {exc}", pytrace=False)
    handle.__enter__()
    try:
        yield handle
    finally:
        handle.close()


def _marker_settings(node: pytest.Item, session: MockamochaSession) -> dict[str, Any]:
    found: dict[str, Any] = {}
    specs: list[Any] = []
    for mark in node.iter_markers("mockamocha"):  # closest first
        unknown = set(mark.kwargs) - MARKER_ARGS
        if unknown or mark.args:
            pytest.fail(
                f"mockamocha marker: unknown argument(s) {sorted(unknown) or mark.args}; "
                f"it takes {', '.join(sorted(MARKER_ARGS))}",
                pytrace=False,
            )
        for key, value in mark.kwargs.items():
            if key == "spec":
                specs.extend(value if isinstance(value, (list, tuple)) else [value])
            else:
                found.setdefault(key, value)
    slugs = [_load_marker_spec(node, session, spec) for spec in specs]
    collection = found.get("collection") or (slugs[0] if len(slugs) == 1 else None)
    if collection is None and len(session.configured) == 1:
        collection = session.configured[0]  # specs other tests' markers mounted don't count
    strict = found.get("strict")
    seed = found.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        pytest.fail(f"mockamocha marker: seed must be an integer, not {seed!r}", pytrace=False)
    return {
        "strict": session.settings.strict if strict is None else bool(strict),
        "collection": collection,
        "seed": seed,
    }


def _load_marker_spec(node: pytest.Item, session: MockamochaSession, spec: Any) -> str:
    """A marker's ``[SLUG=]PATH``: relative to the test's file, else to the rootdir."""
    from pytest_mockamocha.errors import ConfigError
    from pytest_mockamocha.server.config import parse_document

    base = Path(str(node.path)).parent if getattr(node, "path", None) else Path.cwd()
    try:
        document = parse_document(str(spec), base)
        if document.path is not None and not document.path.exists():
            document = parse_document(str(spec), node.config.rootpath)
        assert document.path is not None
        return session.load_marker_spec(document.path.resolve(), document.slug).slug
    except ConfigError as exc:
        pytest.fail(f"mockamocha marker: spec={spec!r}: {exc}", pytrace=False)
    except pytest.UsageError as exc:
        pytest.fail(str(exc), pytrace=False)
