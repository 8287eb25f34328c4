"""Every response the mock builds from the spec validates against the spec.

For every operation of every shipped valid spec (and the generated large one, and our
parameters spec) one valid request goes through a real client to the live server; the
answer must be a success and must validate with the collection's own validator.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import requests
from _mock_specs import PARAMS_SPEC, SHIPPED, SPECS  # type: ignore[import-not-found]
from _spec_requests import ValidRequest, valid_request  # type: ignore[import-not-found]
from werkzeug.datastructures import Headers

from pytest_mockamocha.engine import Engine
from pytest_mockamocha.spec.loader import load_spec, load_text


def _cases() -> Iterator[tuple[str, str]]:
    for slug, name in SHIPPED.items():
        for op in load_spec(SPECS / name).operations:
            yield slug, op.name
    for op in load_text(PARAMS_SPEC, source="params.yaml").operations:
        yield "params", op.name


CASES = list(_cases())


def _violations(
    engine: Engine,
    slug: str,
    op_name: str,
    status: int,
    body: bytes,
    headers: Headers,
    content_type: str,
) -> list[str]:
    coll = engine.collection(slug)
    found = coll.validator.response(coll.operation(op_name), status, body, headers, content_type)
    return [str(v) for v in found]


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


@pytest.mark.parametrize(("slug", "op_name"), CASES, ids=[f"{s}:{o}" for s, o in CASES])
def test_valid_request_gets_a_valid_response(
    engine: Engine, base_url: str, session: requests.Session, slug: str, op_name: str
) -> None:
    coll = engine.collection(slug)
    op = coll.operation(op_name)
    req: ValidRequest = valid_request(coll, op)
    response = session.request(
        req.method,
        req.url(f"{base_url}/mocks/{slug}"),
        headers=req.all_headers(),
        data=req.body,
        timeout=30,
    )
    assert 200 <= response.status_code < 300, (req, response.status_code, response.text[:500])
    headers = Headers(list(response.headers.items()))
    problems = _violations(
        engine,
        slug,
        op_name,
        response.status_code,
        response.content,
        headers,
        response.headers.get("Content-Type", ""),
    )
    assert problems == [], (response.status_code, response.headers, response.content[:300])


def test_every_operation_of_the_large_spec(engine: Engine, base_url: str) -> None:
    coll = engine.collection("large")
    assert len(coll.spec.operations) == 1190
    failures: list[str] = []
    with httpx.Client(base_url=f"{base_url}/mocks/large", timeout=30) as client:
        for op in coll.spec.operations:
            req = valid_request(coll, op)
            response = client.request(
                req.method, req.url(""), headers=req.all_headers(), content=req.body
            )
            status = response.status_code
            if not 200 <= status < 300:
                failures.append(f"{op.name}: {status} {response.text[:200]}")
                continue
            problems = _violations(
                engine,
                "large",
                op.name,
                status,
                response.content,
                Headers(list(response.headers.items())),
                response.headers.get("Content-Type", ""),
            )
            if problems:
                failures.append(f"{op.name}: {problems}")
    assert failures == [], f"{len(failures)} operations failed:\n" + "\n".join(failures[:20])


@pytest.mark.parametrize(
    ("slug", "op_name"),
    [
        ("petstore", "GET /pets/{petId}"),
        ("openapi31", "GET /events/{eventId}"),
        ("petstore", "GET /pets/mine"),
        ("api", "GET /users/{userId}"),
        ("security", "GET /orders/{orderId}"),
        ("media", "GET /books/{isbn}"),
    ],
    ids=[
        "petstore-named",
        "openapi31-named",
        "petstore-generated",
        "multifile-recursive",
        "security-alternatives",
        "media-negotiated",
    ],
)
def test_dynamic_responses_validate_too(
    engine: Engine, base_url: str, session: requests.Session, slug: str, op_name: str
) -> None:
    coll = engine.collection(slug)
    op = coll.operation(op_name)
    for seed in range(5):
        req = valid_request(coll, op, seed=seed)
        headers = {**req.all_headers(), "Prefer": "dynamic=true"}
        response = session.request(
            req.method,
            req.url(f"{base_url}/mocks/{slug}"),
            headers=headers,
            data=req.body,
            timeout=30,
        )
        assert response.status_code == 200, response.text[:300]
        problems = _violations(
            engine,
            slug,
            op_name,
            response.status_code,
            response.content,
            Headers(list(response.headers.items())),
            response.headers.get("Content-Type", ""),
        )
        assert problems == [], response.content[:300]
