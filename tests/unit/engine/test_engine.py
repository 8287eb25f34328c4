"""Engine.handle on MockRequest values, without a server: the whole response pipeline."""

from __future__ import annotations

import importlib.util
import json
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.datastructures import Headers

from pytest_mockamocha.analytics.journal import Journal
from pytest_mockamocha.engine import Engine, MockRequest, MockResponse
from pytest_mockamocha.engine.respond.reply import Reply
from pytest_mockamocha.engine.rules.book import Rule, Step
from pytest_mockamocha.engine.rules.matchers import ParamEquals
from pytest_mockamocha.errors import CollectionNotFoundError
from pytest_mockamocha.generate import GenerationError
from pytest_mockamocha.spec.loader import load_text
from pytest_mockamocha.spec.model import ApiSpec
from pytest_mockamocha.store.shared import MemoryShared

MakeRequest = Callable[..., MockRequest]

REX = {
    "id": 1,
    "name": "Rex",
    "tag": "dog",
    "status": "available",
    "created_at": "2024-03-01T10:15:00Z",
}
TOM = {"id": 2, "name": "Tom", "tag": "cat", "status": "sold", "created_at": "2024-03-02T08:00:00Z"}


def body(response: MockResponse) -> Any:
    return json.loads(response.body)


def valid(engine: Engine, slug: str, op_name: str, response: MockResponse) -> list[Any]:
    coll = engine.collection(slug)
    return coll.validator.response(
        coll.operation(op_name),
        response.status,
        response.body,
        Headers(response.headers),
        response.content_type or "",
    )


# -- collections ------------------------------------------------------------------------------
def test_add_makes_slugs_unique(load: Callable[[str], ApiSpec]) -> None:
    engine = Engine()
    spec = load("petstore.yaml")
    assert [engine.add(spec).slug for _ in range(3)] == ["petstore", "petstore-2", "petstore-3"]
    assert engine.add(spec, slug="shop").slug == "shop"
    assert engine.add(spec, slug="shop").slug == "shop-2"
    assert sorted(c.slug for c in engine) == [
        "petstore",
        "petstore-2",
        "petstore-3",
        "shop",
        "shop-2",
    ]


def test_unknown_collection_names_the_known_ones(engine: Engine, req: MakeRequest) -> None:
    with pytest.raises(CollectionNotFoundError) as info:
        engine.handle("nope", req("GET", "/pets"))
    assert isinstance(info.value, LookupError)
    assert "petstore" in info.value.known
    assert "petstore" in str(info.value)


def test_remove_forgets_the_collection_and_its_rules(engine: Engine) -> None:
    engine.rules.put(
        Rule(
            id="rule_1", collection="petstore", operation="GET /pets", steps=(Step(Reply(json=[])),)
        )
    )
    engine.remove("petstore")
    with pytest.raises(CollectionNotFoundError):
        engine.collection("petstore")
    assert engine.rules.rules() == []


class _NowhereUpstream:
    """An upstream no request reaches (proxy mode is only switched on and off here)."""

    def exchange(self, op: Any, path_params: Any, request: MockRequest) -> Any:
        raise AssertionError("nothing is forwarded in this test")

    def close(self) -> None:
        return None


def test_what_is_answered_from_memory_alone(load: Callable[[str], ApiSpec]) -> None:
    """What the server may answer on its loop thread: nothing that may block it."""
    engine = Engine()
    engine.add(load("petstore.yaml"), slug="petstore")
    assert engine.answers_at_once("petstore")
    assert not engine.answers_at_once("elsewhere")  # may be compiled from the store first
    undo = engine.set_upstream("petstore", _NowhereUpstream())
    assert not engine.answers_at_once("petstore")  # forwarded to the real API
    undo()
    assert engine.answers_at_once("petstore")
    engine.rules.share(MemoryShared())  # replicas: rule hits and scenarios in the store
    assert not engine.answers_at_once("petstore")


def test_replicas_never_answer_from_memory_alone(load: Callable[[str], ApiSpec]) -> None:
    engine = Engine()
    engine.add(load("petstore.yaml"), slug="petstore")
    engine.serve_lazily(lambda slug: False, keep=4, stale=lambda slug: False)
    assert not engine.answers_at_once("petstore")  # each use asks the store first


def test_in_memory_never_loads_and_counts_as_a_use(load: Callable[[str], ApiSpec]) -> None:
    """What the loop thread looks a collection up with: a stored one not mounted stays for
    a worker to load, and one it answers from is the last the LRU unmounts."""
    spec = load("petstore.yaml")
    engine = Engine()
    loads: list[str] = []

    def load_stored(slug: str) -> bool:
        loads.append(slug)
        engine.mount(spec, slug, replace=True)
        engine.reloadable(slug)
        return True

    engine.serve_lazily(load_stored, keep=2)
    assert engine.in_memory("a") is None
    assert loads == []  # not loaded: that is a worker's job
    engine.collection("a")
    engine.collection("b")
    coll = engine.in_memory("a")  # a is now the most recently used
    assert coll is not None
    assert coll.slug == "a"
    engine.collection("c")  # one too many: b goes, not a
    assert sorted(c.slug for c in engine) == ["a", "c"]
    assert loads == ["a", "b", "c"]


# -- the precedence pipeline ---------------------------------------------------------------------
def test_first_2xx_example_with_declared_header(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("GET", "/pets"))
    assert response.status == 200
    assert response.content_type == "application/json"
    assert [pet["name"] for pet in body(response)] == ["Rex", "Tom"]
    assert ("X-Total-Count", "2") in response.headers
    assert response.source == "example"
    assert valid(engine, "petstore", "listPets", response) == []


def test_first_named_example_when_there_is_no_example(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("GET", "/pets/1"))
    assert response.status == 200
    assert body(response) == REX


def test_prefer_example(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("GET", "/pets/1", headers={"Prefer": "example=cat"}))
    assert response.status == 200
    assert body(response) == TOM
    assert response.source == "prefer"


def test_prefer_unknown_example_is_refused_by_name(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle(
        "petstore", req("GET", "/pets/1", headers={"Prefer": "example=hamster"})
    )
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    assert "no example named 'hamster'" in body(response)["detail"]


def test_prefer_code(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("GET", "/pets/1", headers={"Prefer": "code=404"}))
    assert response.status == 404
    assert body(response) == {"code": 404, "message": "Pet not found"}
    assert valid(engine, "petstore", "getPet", response) == []


def test_prefer_code_covered_by_default(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("GET", "/pets", headers={"Prefer": "code=503"}))
    assert response.status == 503
    assert set(body(response)) >= {"code", "message"}
    assert valid(engine, "petstore", "listPets", response) == []


def test_prefer_undeclared_code_is_a_clear_error(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("GET", "/pets/1", headers={"Prefer": "code=418"}))
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    assert "418" in body(response)["detail"]


def test_prefer_dynamic_generates_valid_data(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("GET", "/pets/1", headers={"Prefer": "dynamic=true"}))
    assert response.status == 200
    assert body(response) not in (REX, TOM)
    assert valid(engine, "petstore", "getPet", response) == []


def test_generated_from_schema_when_there_is_no_example(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("GET", "/pets/mine"))
    assert response.status == 200
    assert response.source == "generated"
    pets = body(response)
    assert isinstance(pets, list)
    assert len(pets) <= 10
    assert valid(engine, "petstore", "listMyPets", response) == []


def test_generated_data_is_deterministic(load: Callable[[str], ApiSpec], req: MakeRequest) -> None:
    def mine(seed: int, query: dict[str, str] | None = None, test_seed: int | None = None) -> bytes:
        engine = Engine(seed=seed)
        engine.add(load("petstore.yaml"))
        if test_seed is not None:
            engine.begin_test("t", seed=test_seed)
        return engine.handle("petstore", req("GET", "/pets/mine", query=query)).body

    first = mine(0)
    assert mine(0) == first
    assert len({mine(seed) for seed in range(6)}) > 1
    assert mine(0, test_seed=3) == mine(3)


def test_same_request_same_answer_within_one_engine(engine: Engine, req: MakeRequest) -> None:
    answers = {
        engine.handle("petstore", req("POST", "/pets", json_body={"name": "Rex"})).body
        for _ in range(3)
    }
    assert len(answers) == 1


def test_204_has_no_body(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("DELETE", "/pets/3"))
    assert response.status == 204
    assert response.body == b""


def test_head_is_answered_by_the_get_operation(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("HEAD", "/pets"))
    assert response.status == 200
    record = engine.journal.records()[-1]
    assert record.operation == "GET /pets"


# -- content negotiation -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("accept", "ctype", "starts"),
    [
        (None, "application/json", b"{"),
        ("application/json", "application/json", b"{"),
        ("application/xml", "application/xml", b"<book"),
        ("application/xml;q=0.9, application/json;q=0.5", "application/xml", b"<book"),
        ("text/html, application/*;q=0.1", "application/json", b"{"),
        ("*/*", "application/json", b"{"),
    ],
    ids=["none", "json", "xml", "xml-by-quality", "wildcard-subtype", "any"],
)
def test_content_negotiation(
    engine: Engine, req: MakeRequest, accept: str | None, ctype: str, starts: bytes
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = engine.handle("media", req("GET", "/books/9780262033848", headers=headers))
    assert response.status == 200
    assert response.content_type == ctype
    assert response.body.startswith(starts)
    assert valid(engine, "media", "getBook", response) == []


def test_nothing_acceptable_is_406(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("GET", "/pets", headers={"Accept": "text/html"}))
    assert response.status == 406
    assert response.content_type == "application/problem+json"
    assert "application/json" in body(response)["detail"]


def test_text_types_get_a_charset(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("media", req("GET", "/health"))
    assert response.status == 200
    assert response.body == b"OK"
    assert response.content_type == "text/plain; charset=utf-8"


# -- misses and violations ----------------------------------------------------------------------
def test_unknown_path_is_a_404_problem_naming_the_nearest(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("GET", "/pet/3"))
    assert response.status == 404
    assert response.content_type == "application/problem+json"
    problem = body(response)
    assert problem["nearest"][0] == "GET /pets/{petId}"
    assert "GET /pets/{petId}" in problem["detail"]
    assert response.source == "unmatched"


def test_unknown_method_is_a_405_with_allow(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("PATCH", "/pets"))
    assert response.status == 405
    allow = dict(response.headers)["Allow"]
    assert {"GET", "POST"} <= {m.strip() for m in allow.split(",")}
    assert "PATCH" not in allow
    assert body(response)["nearest"]


@pytest.mark.parametrize(
    ("method", "path", "query", "location", "name"),
    [
        ("GET", "/pets/abc", None, "path", "petId"),
        ("GET", "/pets/0", None, "path", "petId"),
        ("GET", "/pets", {"limit": "0"}, "query", "limit"),
        ("GET", "/pets", {"limit": "many"}, "query", "limit"),
        ("GET", "/pets", {"status": "lost"}, "query", "status"),
        ("GET", "/pets/search", None, "query", "q"),
        ("GET", "/stores/Not_Valid/inventory", None, "path", "store-id"),
    ],
    ids=[
        "path-type",
        "path-minimum",
        "query-minimum",
        "query-type",
        "query-enum",
        "query-required",
        "path-pattern",
    ],
)
def test_parameter_violations_are_400_problems(
    engine: Engine,
    req: MakeRequest,
    method: str,
    path: str,
    query: dict[str, str] | None,
    location: str,
    name: str,
) -> None:
    response = engine.handle("petstore", req(method, path, query=query))
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    problem = body(response)
    assert {"location": location, "name": name} in [
        {"location": v["location"], "name": v["name"]} for v in problem["violations"]
    ]
    assert all(v["message"] for v in problem["violations"])
    assert response.source == "invalid"


def test_body_violation_uses_the_declared_422(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("petstore", req("POST", "/pets", json_body={"tag": "x"}))
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    problem = body(response)
    assert problem["status"] == 422
    assert any(v["location"] == "body" and "name" in v["message"] for v in problem["violations"])
    assert valid(engine, "petstore", "createPet", response) == []


def test_missing_required_body(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle(
        "petstore", req("POST", "/pets", headers={"Content-Type": "application/json"})
    )
    assert response.status == 422
    assert any(v["location"] == "body" for v in body(response)["violations"])


def test_wrong_content_type_names_the_header(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle(
        "petstore", req("POST", "/pets", body=b"name=Rex", headers={"Content-Type": "text/plain"})
    )
    assert response.status == 422
    names = [(v["location"], v["name"]) for v in body(response)["violations"]]
    assert ("header", "Content-Type") in names


def test_declared_400_is_used_and_violations_are_still_named(
    engine: Engine, load: Callable[[str], ApiSpec], req: MakeRequest
) -> None:
    engine.add(load("multifile/api.yaml"))
    response = engine.handle("api", req("POST", "/users", json_body={"name": ""}))
    assert response.status == 400
    assert valid(engine, "api", "createUser", response) == []
    text = response.body.decode() + dict(response.headers).get("MockaMocha-Violations", "")
    assert "email" in text


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/orders", {}),
        ("/orders", {"headers": {"Authorization": "Bearer t"}}),
        ("/exports/orders", {"headers": {"X-API-Key": "k"}}),
        ("/session", {"query": {"session_id": "s"}}),
    ],
    ids=["nothing", "wrong-scheme", "header-instead-of-query", "query-instead-of-cookie"],
)
def test_missing_credentials_are_401(
    engine: Engine, req: MakeRequest, path: str, kwargs: dict[str, Any]
) -> None:
    response = engine.handle("security", req("GET", path, **kwargs))
    assert response.status == 401
    assert "WWW-Authenticate" in dict(response.headers)
    assert response.source == "invalid"


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/status", {}),
        ("/orders", {"headers": {"X-API-Key": "k"}}),
        ("/exports/orders", {"query": {"api_key": "k"}}),
        ("/session", {"cookies": {"session_id": "s"}}),
        ("/me", {"headers": {"Authorization": "Bearer t"}}),
    ],
    ids=["public", "header-key", "query-key", "cookie-key", "bearer"],
)
def test_present_credentials_pass(
    engine: Engine, req: MakeRequest, path: str, kwargs: dict[str, Any]
) -> None:
    response = engine.handle("security", req("GET", path, **kwargs))
    assert response.status == 200, response.body


def test_401_for_basic_auth_challenges_basic(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("security", req("GET", "/admin/reports"))
    assert response.status == 401
    challenges = [v for k, v in response.headers if k.lower() == "www-authenticate"]
    assert any(c.lower().startswith("basic") for c in challenges), challenges


# -- rules through the engine --------------------------------------------------------------------
def _rule(
    rule_id: str, *replies: Reply, matchers: tuple[Any, ...] = (), times: int | None = None
) -> Rule:
    steps = tuple(Step(r, times=times) for r in replies)
    return Rule(
        id=rule_id,
        collection="petstore",
        operation="GET /pets/{petId}",
        matchers=matchers,
        steps=steps,
    )


def test_static_rule_answers_when_its_matchers_fit(engine: Engine, req: MakeRequest) -> None:
    engine.rules.put(
        _rule(
            "rule_seven",
            Reply(status=200, json={"id": 7, "name": "Seven"}, headers=(("X-Rule", "yes"),)),
            matchers=(ParamEquals("path", "petId", 7),),
        )
    )
    response = engine.handle("petstore", req("GET", "/pets/7"))
    assert body(response) == {"id": 7, "name": "Seven"}
    assert response.source == "rule"
    assert response.rule_id == "rule_seven"
    assert ("X-Rule", "yes") in response.headers
    other = engine.handle("petstore", req("GET", "/pets/8"))
    assert body(other) == REX
    record = engine.journal.records(operation="GET /pets/{petId}")[-1]
    assert "rule_seven" in record.note
    assert "path.petId is '8', rule wants '7'" in record.note


def test_rule_replies_by_example_generated_and_status(engine: Engine, req: MakeRequest) -> None:
    engine.rules.put(
        _rule(
            "rule_seq",
            Reply(kind="example", example="cat"),
            Reply(kind="generated", overrides={"name": "Fixed"}),
            Reply(status=404),
            times=1,
        )
    )
    first = engine.handle("petstore", req("GET", "/pets/1"))
    second = engine.handle("petstore", req("GET", "/pets/1"))
    third = engine.handle("petstore", req("GET", "/pets/1"))
    fourth = engine.handle("petstore", req("GET", "/pets/1"))
    assert body(first) == TOM
    assert body(second)["name"] == "Fixed"
    assert (third.status, body(third)) == (404, {"code": 404, "message": "Pet not found"})
    assert (fourth.source, body(fourth)) == ("example", REX)  # retired
    for response in (first, second, third):
        assert response.source == "rule"
        assert valid(engine, "petstore", "getPet", response) == []


def test_rule_delay_and_fault_are_passed_to_the_server(engine: Engine, req: MakeRequest) -> None:
    engine.rules.put(_rule("rule_slow", Reply(json={}, delay=0.25, fault="close")))
    response = engine.handle("petstore", req("GET", "/pets/1"))
    assert (response.delay, response.fault) == (0.25, "close")


def test_static_rule_body_and_content_type(engine: Engine, req: MakeRequest) -> None:
    engine.rules.put(
        _rule(
            "rule_raw", Reply(status=200, body=b"\x00\x01", content_type="application/octet-stream")
        )
    )
    response = engine.handle("petstore", req("GET", "/pets/1"))
    assert (response.body, response.content_type) == (b"\x00\x01", "application/octet-stream")


# -- the journal and the running test ----------------------------------------------------------
def test_journal_tags_requests_with_the_running_test(engine: Engine, req: MakeRequest) -> None:
    engine.begin_test("tests/test_x.py::test_a")
    engine.handle("petstore", req("GET", "/pets"))
    engine.handle("petstore", req("GET", "/nowhere"))
    engine.handle("petstore", req("GET", "/pets/abc"))
    engine.handle("petstore", req("GET", "/pets", headers={"X-MockaMocha-Test": "other"}))
    assert engine.current_test == "tests/test_x.py::test_a"
    assert [p.path for p in engine.problems()] == ["/nowhere", "/pets/abc"]
    problems = engine.end_test()
    assert engine.current_test is None
    assert engine.problems() == []
    assert [(p.status, p.operation) for p in problems] == [(404, None), (400, "GET /pets/{petId}")]
    assert problems[1].violations == ("path.petId: 'abc' is not a valid integer",)
    mine = engine.journal.records(test="tests/test_x.py::test_a")
    assert [r.path for r in mine] == ["/pets", "/nowhere", "/pets/abc"]
    assert [r.path for r in engine.journal.records(test="other")] == ["/pets"]
    assert not mine[1].ok
    assert mine[0].ok
    assert mine[1].nearest


def test_engine_uses_the_journal_it_is_given() -> None:
    journal = Journal(maxlen=5)  # empty, hence len() == 0: it must still be used
    assert Engine(journal=journal).journal is journal


def test_journal_stats_and_bound(load: Callable[[str], ApiSpec], req: MakeRequest) -> None:
    engine = Engine(journal=Journal(maxlen=5))
    engine.add(load("petstore.yaml"))
    for i in range(12):
        engine.handle("petstore", req("GET", f"/pets/{i + 1}"))
    engine.handle("petstore", req("GET", "/nowhere"))
    assert len(engine.journal) == 5
    stats = engine.journal.stats()["petstore"]
    assert stats.requests == 13
    assert stats.unmatched == 1
    assert stats.by_operation["GET /pets/{petId}"] == 12
    assert stats.by_status[("GET /pets/{petId}", 200)] == 12
    assert engine.journal.records()[-1].path == "/nowhere"


def test_record_describes_the_exchange(engine: Engine, req: MakeRequest) -> None:
    engine.handle("petstore", req("GET", "/pets", query={"limit": "2"}))
    record = engine.journal.records()[-1]
    assert record.describe() == "GET /pets?limit=2 -> 200 (example)"
    assert record.id.startswith("req_")
    assert record.collection == "petstore"
    assert record.duration_us >= 0


# -- inputs openapi-core chokes on: the engine must still answer ------------------------------
@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("application/json", b"[" * 100_000 + b"]" * 100_000),
        ("application/json", b'{"a":' * 30_000 + b"1" + b"}" * 30_000),
    ],
    ids=["deep-array", "deep-object"],
)
def test_malformed_json_requests_are_answered_with_4xx(
    engine: Engine, req: MakeRequest, content_type: str, raw: bytes
) -> None:
    response = engine.handle(
        "petstore", req("POST", "/pets", body=raw, headers={"Content-Type": content_type})
    )
    assert 400 <= response.status < 500


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("multipart/form-data; boundary=xx", b"--xx\r\ngarbage without an end"),
        ("multipart/form-data", b"no boundary at all"),
    ],
    ids=["broken-parts", "no-boundary"],
)
def test_malformed_multipart_requests_are_answered_with_4xx(
    engine: Engine, req: MakeRequest, content_type: str, raw: bytes
) -> None:
    response = engine.handle(
        "media", req("POST", "/files", body=raw, headers={"Content-Type": content_type})
    )
    assert 400 <= response.status < 500


ORDER = {"item": "coffee beans", "quantity": 2}


def test_oauth2_credentials_missing_is_401(engine: Engine, req: MakeRequest) -> None:
    response = engine.handle("security", req("POST", "/orders", json_body=ORDER))
    assert response.status == 401


def test_oauth2_credentials_present_pass_without_warnings(engine: Engine, req: MakeRequest) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = engine.handle(
            "security",
            req("POST", "/orders", json_body=ORDER, headers={"Authorization": "Bearer t"}),
        )
    assert response.status == 201
    assert [str(w.message) for w in caught] == []


# -- schemas no value satisfies -----------------------------------------------------------------
UNSATISFIABLE = """\
openapi: 3.0.3
info: {title: Closed allOf, version: '1'}
paths:
  /things:
    get:
      responses:
        '200':
          description: A page of things; no Thing can exist, but an empty page can.
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/Thing'}}
    post:
      responses:
        '201':
          description: A thing.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    ThingInput:
      type: object
      additionalProperties: false
      required: [name]
      properties: {name: {type: string}}
    Thing:
      allOf:
        - $ref: '#/components/schemas/ThingInput'
        - {type: object, required: [id], properties: {id: {type: integer}}}
"""


@pytest.fixture
def closed_engine() -> Engine:
    engine = Engine()
    engine.add(load_text(UNSATISFIABLE, source="closed.yaml", slug="closed"))
    return engine


def test_unsatisfiable_response_schema_is_answered_with_the_closest_value(
    closed_engine: Engine, req: MakeRequest
) -> None:
    # no Thing can exist (closed ThingInput forbids the id the other branch requires): the
    # mock answers the closest value it builds and says so, rather than a 5xx
    response = closed_engine.handle("closed", req("POST", "/things"))
    assert response.status == 201
    assert response.source == "unsatisfiable"
    assert isinstance(body(response), dict)


def test_array_of_unsatisfiable_items_is_served_empty(
    closed_engine: Engine, req: MakeRequest
) -> None:
    response = closed_engine.handle("closed", req("GET", "/things"))
    assert response.status == 200
    assert body(response) == {"items": []}


def test_responder_never_crashes_on_the_generated_large_spec(specs_dir: Any) -> None:
    module_spec = importlib.util.spec_from_file_location(
        "mockamocha_large_for_engine", specs_dir / "large" / "generate_large.py"
    )
    assert module_spec is not None
    assert module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    engine = Engine()
    coll = engine.add(load_text(json.dumps(module.build(6)), source="large.json", slug="large"))
    crashes = []
    for op in coll.spec.operations:
        try:
            coll.responder.from_spec(op, accept=None, seed=0, material=op.name)
        except GenerationError:
            pass  # a clear, expected refusal (the entity schemas are unsatisfiable)
        except Exception as exc:
            crashes.append(f"{op.name}: {type(exc).__name__}: {exc}")
    assert crashes == []
