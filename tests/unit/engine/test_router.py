"""Routing paths and methods to operations: static beats template, 404/405 with the nearest."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_mockamocha.engine.router import RouteMatch, RouteMiss, Router
from pytest_mockamocha.spec.loader import load_spec
from pytest_mockamocha.spec.model import ApiSpec, Operation


@pytest.fixture(scope="module")
def router(load: Callable[[str], ApiSpec]) -> Router:
    return Router(load("petstore.yaml").operations)


def _ops(*names: str) -> list[Operation]:
    return [Operation(method=n.split()[0], path=n.split()[1], operation_id=None) for n in names]


def _match(router: Router, method: str, path: str) -> RouteMatch:
    found = router.match(path, method)
    assert isinstance(found, RouteMatch), found
    return found


@pytest.mark.parametrize(
    ("method", "path", "op_id", "params"),
    [
        ("GET", "/pets", "listPets", {}),
        ("POST", "/pets", "createPet", {}),
        ("GET", "/pets/mine", "listMyPets", {}),
        ("GET", "/pets/search", "searchPets", {}),
        ("GET", "/pets/42", "getPet", {"petId": "42"}),
        ("PUT", "/pets/42", "updatePet", {"petId": "42"}),
        ("DELETE", "/pets/mines", "deletePet", {"petId": "mines"}),
        ("GET", "/stores/down-town-1/inventory", "getInventory", {"store-id": "down-town-1"}),
        ("get", "/pets/7", "getPet", {"petId": "7"}),
    ],
    ids=[
        "list",
        "create",
        "static-mine",
        "static-search",
        "template",
        "put-template",
        "near-static-is-template",
        "dashed-param",
        "lower-case-method",
    ],
)
def test_match(router: Router, method: str, path: str, op_id: str, params: dict[str, str]) -> None:
    found = _match(router, method, path)
    assert found.operation.operation_id == op_id
    assert dict(found.path_params) == params


def test_static_segment_beats_template_whatever_the_declaration_order() -> None:
    for order in (["GET /a/{id}", "GET /a/me"], ["GET /a/me", "GET /a/{id}"]):
        router = Router(_ops(*order))
        assert _match(router, "GET", "/a/me").operation.path == "/a/me"
        assert _match(router, "GET", "/a/you").path_params == {"id": "you"}


def test_static_path_only_wins_for_its_own_method() -> None:
    router = Router(_ops("GET /pets/{petId}", "DELETE /pets/{petId}", "GET /pets/mine"))
    # /pets/mine declares only GET: DELETE on it is DELETE /pets/{petId} with petId "mine"
    found = _match(router, "DELETE", "/pets/mine")
    assert found.operation.name == "DELETE /pets/{petId}"
    assert found.path_params == {"petId": "mine"}


def test_head_routes_to_get(router: Router) -> None:
    assert _match(router, "HEAD", "/pets/3").operation.operation_id == "getPet"


def test_trailing_slash_is_tolerated(router: Router) -> None:
    assert _match(router, "GET", "/pets/").operation.operation_id == "listPets"


def test_unusual_template_names_and_characters() -> None:
    router = Router(
        _ops("GET /files/{file.name}", "GET /x/{a_b}/{C-d}/y", "GET /reports/loans.csv")
    )
    assert _match(router, "GET", "/files/scan.pdf").path_params == {"file.name": "scan.pdf"}
    assert _match(router, "GET", "/x/1/2/y").path_params == {"a_b": "1", "C-d": "2"}
    assert _match(router, "GET", "/reports/loans.csv").operation.path == "/reports/loans.csv"


def test_literal_angle_brackets_in_a_template() -> None:
    # werkzeug's rule syntax uses <...>; the router escapes them, and a request for the
    # (decoded) path must still reach the operation
    router = Router(_ops("GET /p/<raw>/{id}"))
    assert _match(router, "GET", "/p/<raw>/9").path_params == {"id": "9"}


def test_two_params_in_one_segment() -> None:
    router = Router(_ops("GET /files/{name}.{ext}"))
    found = _match(router, "GET", "/files/report.pdf")
    assert found.path_params["ext"] == "pdf"
    assert found.path_params["name"] == "report"


def test_unicode_param_value(router: Router) -> None:
    assert _match(router, "GET", "/pets/n\u00e9ko").path_params == {"petId": "n\u00e9ko"}


@pytest.mark.parametrize(
    ("path", "nearest"),
    [
        ("/pet/5", "GET /pets/{petId}"),
        ("/pets/5/owner", "GET /pets/{petId}"),
        ("/store/x/inventory", "GET /stores/{store-id}/inventory"),
        ("/", "GET /pets"),
    ],
    ids=["typo", "too-deep", "dashed", "root"],
)
def test_unknown_path_is_404_with_nearest(router: Router, path: str, nearest: str) -> None:
    found = router.match(path, "GET")
    assert isinstance(found, RouteMiss)
    assert found.status == 404
    assert found.allowed == ()
    assert 1 <= len(found.nearest) <= 3
    assert nearest in found.nearest


def test_nearest_prefers_the_same_method(router: Router) -> None:
    found = router.match("/pet/5", "DELETE")
    assert isinstance(found, RouteMiss)
    assert found.nearest[0] == "DELETE /pets/{petId}"


def test_unknown_method_is_405_with_allowed(router: Router) -> None:
    found = router.match("/pets", "DELETE")
    assert isinstance(found, RouteMiss)
    assert found.status == 405
    assert {"GET", "POST"} <= set(found.allowed)
    assert "DELETE" not in found.allowed
    assert list(found.allowed) == sorted(found.allowed)
    assert found.nearest


def test_unknown_method_on_template(router: Router) -> None:
    found = router.match("/pets/3", "PATCH")
    assert isinstance(found, RouteMiss)
    assert found.status == 405
    assert {"GET", "PUT", "DELETE"} <= set(found.allowed)


def test_allowed_methods(router: Router) -> None:
    assert {"GET", "POST"} <= set(router.allowed_methods("/pets"))
    assert {"GET", "PUT", "DELETE"} <= set(router.allowed_methods("/pets/1"))
    assert router.allowed_methods("/nowhere") == ()


def test_empty_router_answers_404() -> None:
    found = Router([]).match("/anything", "GET")
    assert isinstance(found, RouteMiss)
    assert found.status == 404
    assert found.nearest == ()


def test_router_over_the_large_spec(specs_dir: Path, tmp_path: Path) -> None:
    module_spec = importlib.util.spec_from_file_location(
        "mockamocha_large_for_router", specs_dir / "large" / "generate_large.py"
    )
    assert module_spec is not None
    assert module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    path = tmp_path / "large.json"
    path.write_text(json.dumps(module.build(30)))
    spec = load_spec(path)
    router = Router(spec.operations)
    for op in spec.operations:
        concrete = op.path.replace("{", "").replace("}", "")
        found = router.match(concrete, op.method)
        assert isinstance(found, RouteMatch)
        assert found.operation is op


# -- paths declared with a trailing slash (Django REST Framework) route as declared -------
DRF = ("GET /circuit-types/", "POST /circuit-types/", "GET /circuit-types/{id}/")


@pytest.mark.parametrize(
    ("method", "path", "template", "params"),
    [
        ("GET", "/circuit-types/", "/circuit-types/", {}),
        ("POST", "/circuit-types/", "/circuit-types/", {}),
        ("GET", "/circuit-types/7/", "/circuit-types/{id}/", {"id": "7"}),
        ("GET", "/circuit-types", "/circuit-types/", {}),  # the slash left out: tolerated
        ("GET", "/circuit-types/7", "/circuit-types/{id}/", {"id": "7"}),
    ],
    ids=["list", "create", "item", "list-without-slash", "item-without-slash"],
)
def test_trailing_slash_templates_route_as_declared(
    method: str, path: str, template: str, params: dict[str, str]
) -> None:
    found = _match(Router(_ops(*DRF)), method, path)
    assert found.operation.path == template
    assert dict(found.path_params) == params


def test_with_and_without_a_slash_are_two_paths_when_both_are_declared() -> None:
    router = Router(_ops("GET /a", "GET /a/", "GET /a/{x}"))
    assert _match(router, "GET", "/a").operation.path == "/a"
    assert _match(router, "GET", "/a/").operation.path == "/a/"
    assert _match(router, "GET", "/a/b").operation.path == "/a/{x}"


def test_a_mixed_segment_routes_with_its_literal_text() -> None:
    router = Router(_ops("GET /files/{name}.json", "GET /files/{name}", "GET /r/{a}-{b}"))
    assert _match(router, "GET", "/files/report.json").path_params == {"name": "report"}
    assert _match(router, "GET", "/files/report.json").operation.path == "/files/{name}.json"
    assert _match(router, "GET", "/files/report").operation.path == "/files/{name}"
    assert _match(router, "GET", "/r/x-y-z").path_params == {"a": "x", "b": "y-z"}


def test_building_the_routes_of_a_thousand_templates_is_linear() -> None:
    ops = _ops(*(f"GET /r{i}/{{id}}/items/{{item}}" for i in range(1000)))
    router = Router(ops)
    assert _match(router, "GET", "/r999/5/items/6").path_params == {"id": "5", "item": "6"}
    assert router.match("/r1000/5/items/6", "GET") == RouteMiss(
        404, nearest=router.nearest("GET", "/r1000/5/items/6")
    )


# -- AWS path keys: conditions after '#' or '?' choose among operations of one URL -------
def _aws_op(key: str, method: str = "POST", *params: tuple[str, str]) -> Operation:
    from pytest_mockamocha.spec.model import Parameter

    declared = tuple(Parameter(name=n, location=loc, required=True) for n, loc in params)
    return Operation(method=method, path=key, operation_id=None, parameters=declared)


def test_a_header_condition_chooses_the_operation() -> None:
    target = ("X-Amz-Target", "header")
    router = Router([
        _aws_op("/#X-Amz-Target=Svc.Create", "POST", target),
        _aws_op("/#X-Amz-Target=Svc.Delete", "POST", target),
    ])
    from werkzeug.datastructures import Headers

    found = router.match("/", "POST", {}, Headers({"x-amz-target": "Svc.Delete"}))
    assert isinstance(found, RouteMatch)
    assert found.operation.path == "/#X-Amz-Target=Svc.Delete"
    # without the header the first is chosen, and its validation says what is missing
    first = router.match("/", "POST", {}, {})
    assert isinstance(first, RouteMatch)
    assert first.operation.path == "/#X-Amz-Target=Svc.Create"


def test_query_conditions_with_path_templates_and_bare_names() -> None:
    from werkzeug.datastructures import MultiDict

    router = Router([
        _aws_op("/{Account}/{Queue}/#Action=Send", "POST", ("Action", "query")),
        _aws_op("/{Account}/{Queue}/#Action=Purge", "POST", ("Action", "query")),
        _aws_op("/{Bucket}", "GET"),
        _aws_op("/{Bucket}?uploads", "GET"),
    ])
    found = router.match("/1/q", "POST", MultiDict({"Action": "Purge"}), {})
    assert isinstance(found, RouteMatch)
    assert found.operation.path == "/{Account}/{Queue}/#Action=Purge"
    assert dict(found.path_params) == {"Account": "1", "Queue": "q"}
    uploads = router.match("/b", "GET", MultiDict({"uploads": ""}), {})
    plain = router.match("/b", "GET", MultiDict(), {})
    assert isinstance(uploads, RouteMatch)
    assert isinstance(plain, RouteMatch)
    assert (uploads.operation.path, plain.operation.path) == ("/{Bucket}?uploads", "/{Bucket}")
    assert router.match("/b", "DELETE", MultiDict(), {}) == RouteMiss(
        405, allowed=("GET",), nearest=router.nearest("DELETE", "/b")
    )


# -- templates of one shape (googleapis: /v1/{jobName} and /v1/{name}) ---------------------
def test_templates_of_one_shape_are_told_apart_by_their_required_parameters() -> None:
    from werkzeug.datastructures import Headers, MultiDict

    from pytest_mockamocha.spec.model import Parameter

    def op(method: str, path: str, *required: str) -> Operation:
        params = tuple(Parameter(name=n, location="query", required=True) for n in required)
        name = path.split("{")[1].split("}")[0]
        return Operation(method=method, path=path, operation_id=None, parameters=(
            Parameter(name=name, location="path", required=True), *params))

    router = Router([
        op("GET", "/v1/{jobName}", "projectId"),
        op("GET", "/v1/{name}", "filter"),
        op("PUT", "/v2/{name}"),
        op("GET", "/v2/{resource}"),
    ])
    jobs = router.match("/v1/transferJobs%2F1", "GET", MultiDict({"projectId": "p"}), Headers())
    operations = router.match("/v1/op", "GET", MultiDict({"filter": "f"}), Headers())
    assert isinstance(jobs, RouteMatch)
    assert isinstance(operations, RouteMatch)
    assert (jobs.operation.path, dict(jobs.path_params)) == (
        "/v1/{jobName}", {"jobName": "transferJobs%2F1"})
    assert operations.operation.path == "/v1/{name}"
    assert dict(operations.path_params) == {"name": "op"}
    # a method only the second template declares is no 405
    put = router.match("/v2/x", "PUT", MultiDict(), Headers())
    assert isinstance(put, RouteMatch)
    assert put.operation.path == "/v2/{name}"
