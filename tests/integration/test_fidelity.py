"""Classes of public documents the mock used to answer wrongly, each reproduced by a minimal
document in tests/data/specs/fidelity/ and served on a real socket."""

from __future__ import annotations

import base64
import http.client
import json
import re
import shutil
import struct
import subprocess
import sys
import urllib.parse
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.spec.loader import load_spec

FIDELITY = Path(__file__).parents[1] / "data" / "specs" / "fidelity"


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    running = MockServer().start()
    for name in (
        "trailing_slash",
        "parameters",
        "wildcard_body",
        "accept",
        "allof_conflict",
        "json_numbers",
        "framing_headers",
        "untagged_example",
        "byte_format",
        "forwarded_headers",
        "typed_bodies",
        "opaque_bodies",
        "adjacent_variables",
    ):
        running.add_spec(load_spec(FIDELITY / f"{name}.yaml"), name.replace("_", "-"))
    yield running
    running.stop()


def url(server: MockServer, slug: str, path: str) -> str:
    return server.url_for(slug) + path


def post_json(target: str, body: object, method: str = "POST", **headers: str) -> requests.Response:
    headers = {"Content-Type": "application/json", **headers}
    return requests.request(method, target, data=json.dumps(body), headers=headers, timeout=10)


# -- trailing slashes (Django REST Framework) --------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/circuits/circuit-types/", 200),
        ("GET", "/circuits/circuit-types/3/", 200),
        ("DELETE", "/circuits/circuit-types/3/", 204),
    ],
)
def test_paths_declared_with_a_trailing_slash_route_as_declared(
    server: MockServer, method: str, path: str, status: int
) -> None:
    answer = requests.request(
        method, url(server, "trailing-slash", path), timeout=10, allow_redirects=False
    )
    assert answer.status_code == status, answer.text
    assert "Location" not in answer.headers


def test_a_trailing_slash_post_validates_its_body(server: MockServer) -> None:
    target = url(server, "trailing-slash", "/circuits/circuit-types/")
    assert post_json(target, {"name": "fibre"}).status_code == 201
    refused = post_json(target, {})
    assert refused.status_code == 400
    assert "'name' is a required property" in refused.json()["detail"]


# -- readOnly / writeOnly on parameters, the Authorization header parameter -------------
def test_read_only_and_write_only_parameter_schemas_accept_values(server: MockServer) -> None:
    answer = requests.get(url(server, "parameters", "/items/3"), params={"q": "abc"}, timeout=10)
    assert answer.status_code == 200, answer.text


def test_parameter_schemas_are_still_checked_apart_from_the_flags(server: MockServer) -> None:
    too_small = requests.get(url(server, "parameters", "/items/0"), timeout=10)
    assert too_small.status_code == 400
    assert "path.id" in too_small.json()["detail"]
    target = url(server, "parameters", "/items/3")
    too_long = requests.get(target, params={"q": "abcdef"}, timeout=10)
    assert too_long.status_code == 400
    assert "query.q" in too_long.json()["detail"]


def test_flags_are_ignored_on_operations_openapi_core_validates(server: MockServer) -> None:
    target = url(server, "parameters", "/styled/.1,2")
    assert requests.get(target, params={"level": "2"}, timeout=10).status_code == 200
    refused = requests.get(target, params={"level": "9"}, timeout=10)
    assert refused.status_code == 400
    assert "level" in refused.json()["detail"]
    assert "read-only" not in refused.text


def test_a_required_parameter_with_a_default_must_still_be_sent(server: MockServer) -> None:
    target = url(server, "parameters", "/defaults")
    sent = requests.get(target, params={"page": "2"}, timeout=10)
    assert sent.status_code == 200, sent.text
    missing = requests.get(target, timeout=10)
    assert missing.status_code == 400
    assert "query.page: required parameter is missing" in missing.json()["detail"]


def test_an_authorization_header_parameter_is_ignored(server: MockServer) -> None:
    assert requests.get(url(server, "parameters", "/items/3"), timeout=10).status_code == 200


def test_security_is_still_enforced_through_security(server: MockServer) -> None:
    target = url(server, "parameters", "/secured")
    refused = requests.get(target, timeout=10)
    assert refused.status_code == 401
    assert "bearer" in refused.json()["detail"]
    allowed = requests.get(target, headers={"Authorization": "Bearer t"}, timeout=10)
    assert allowed.status_code == 200


# -- bodies declared under */* and type/* --------------------------------------------------
def test_a_wildcard_body_is_read_as_the_declared_content_type(server: MockServer) -> None:
    target = url(server, "wildcard-body", "/things")
    assert post_json(target, {"name": "a"}).status_code == 201
    missing = post_json(target, {})
    assert missing.status_code == 400
    assert "'name' is a required property" in missing.json()["detail"]
    wrong = post_json(target, ["a"])
    assert wrong.status_code == 400
    assert "is not of type 'object'" in wrong.json()["detail"]


def test_a_wildcard_body_without_type_is_still_checked(server: MockServer) -> None:
    target = url(server, "wildcard-body", "/untyped") + "?tags=a|b"
    assert post_json(target, {"name": "a"}).status_code == 204
    missing = post_json(target, {})
    assert missing.status_code == 400
    assert "'name' is a required property" in missing.json()["detail"]


def test_a_wildcard_body_reads_yaml_and_refuses_text_for_an_object(server: MockServer) -> None:
    target = url(server, "wildcard-body", "/things")
    yaml_body = requests.post(
        target, data=b"name: a\n", headers={"Content-Type": "application/yaml"}, timeout=10
    )
    assert yaml_body.status_code == 201, yaml_body.text
    text = requests.post(target, data=b"hello", headers={"Content-Type": "text/plain"}, timeout=10)
    assert text.status_code == 400
    assert "cannot be read as object" in text.json()["detail"]
    broken = requests.post(
        target, data=b"{not json", headers={"Content-Type": "application/json"}, timeout=10
    )
    assert broken.status_code == 400
    assert "not valid application/json" in broken.json()["detail"]


def test_a_wildcard_binary_body_takes_any_bytes(server: MockServer) -> None:
    target = url(server, "wildcard-body", "/uploads")
    for media, data in (("application/json", b'{"a": 1}'), ("image/png", b"\x89PNG\r\n")):
        answer = requests.put(target, data=data, headers={"Content-Type": media}, timeout=10)
        assert answer.status_code == 204, (media, answer.text)


def test_an_xml_body_is_read_as_xml(server: MockServer) -> None:
    target = url(server, "wildcard-body", "/queues")
    xml = {"Content-Type": "text/xml"}
    made = requests.post(
        target, data=b"<Q><QueueName>jobs</QueueName></Q>", headers=xml, timeout=10
    )
    assert made.status_code == 204, made.text
    broken = requests.post(target, data=b"<Q><QueueName>jobs</Q>", headers=xml, timeout=10)
    assert broken.status_code == 400
    assert "not well-formed text/xml" in broken.json()["detail"]
    bomb = b'<!DOCTYPE q [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><q>&b;</q>'
    refused = requests.post(target, data=bomb, headers=xml, timeout=10)
    assert refused.status_code == 400
    assert "entity declarations are not accepted" in refused.json()["detail"]


def test_a_type_wildcard_covers_that_type_only(server: MockServer) -> None:
    target = url(server, "wildcard-body", "/patches")
    merge = "application/merge-patch+json"
    assert post_json(target, {"spec": {}}, "PATCH", **{"Content-Type": merge}).status_code == 204
    assert post_json(target, {}, "PATCH", **{"Content-Type": merge}).status_code == 400
    text = requests.patch(target, data=b"{}", headers={"Content-Type": "text/plain"}, timeout=10)
    assert text.status_code == 400
    assert "'text/plain' is not one of application/*" in text.json()["detail"]


# -- Accept negotiation -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "accept", "media"),
    [
        ("/repos", "application/vnd.github+json", "application/json"),
        ("/repos", "application/vnd.github.v3+json; q=0.9", "application/json"),
        ("/versioned", "application/json", "application/json"),
        ("/versioned", "*/*", "application/json"),
        ("/versioned", None, "application/json"),
        ("/either", "application/json", "application/json"),
        ("/either", "application/xml, application/json;q=0.5", "application/xml"),
        ("/either", "application/vnd.api+json", "application/json"),
    ],
)
def test_accept_negotiation_is_as_lenient_as_real_servers(
    server: MockServer, path: str, accept: str | None, media: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    answer = requests.get(url(server, "accept", path), headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith(media)


@pytest.mark.parametrize(
    "accept", ["application/json", "text/html", "application/xml;q=0, application/json"]
)
def test_406_only_when_accept_rules_out_every_declared_type(
    server: MockServer, accept: str
) -> None:
    answer = requests.get(url(server, "accept", "/xml"), headers={"Accept": accept}, timeout=10)
    assert answer.status_code == 406
    detail = answer.json()["detail"]
    assert "declares application/xml" in detail
    assert f"Accept ({accept})" in detail


def test_strict_mode_says_what_was_declared_and_what_was_accepted(
    pytester: pytest.Pytester,
) -> None:
    shutil.copy(FIDELITY / "accept.yaml", pytester.path / "accept.yaml")
    pytester.makepyfile(
        """
        import requests

        def test_asks_for_json(mockamocha):
            answer = requests.get(
                mockamocha.base_url + "/xml", headers={"Accept": "application/json"}
            )
            assert answer.status_code == 406
        """
    )
    result = pytester.runpytest("--mockamocha-spec", "accept.yaml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*GET /xml -> 406*",
            "*violation: header.Accept: GET /xml declares application/xml for this answer; "
            "the request's Accept (application/json) rules out every one*",
        ]
    )


# -- allOf branches that disagree on type ------------------------------------------------
def test_an_unsatisfiable_schema_answers_its_example(server: MockServer) -> None:
    answer = requests.get(url(server, "allof-conflict", "/odd-with-example"), timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"id": 3}


def test_an_unsatisfiable_schema_without_example_answers_the_closest_value(
    server: MockServer,
) -> None:
    answer = requests.get(url(server, "allof-conflict", "/odd"), timeout=10)
    assert answer.status_code == 200
    answer.json()  # JSON, not a problem document
    records = server.engine.journal.records(collection="allof-conflict")
    assert {r.source for r in records if r.path == "/odd"} == {"unsatisfiable"}


def test_lint_warns_of_the_served_example(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest_mockamocha.cli", "lint", FIDELITY / "allof_conflict.yaml"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "[unsatisfiable]" in result.stdout
    assert "the mock serves the first example anyway" in result.stdout


# -- AWS path keys with '#' conditions -------------------------------------------------------
@pytest.fixture(scope="module")
def aws() -> Iterator[str]:
    running = MockServer().start()
    running.add_spec(load_spec(FIDELITY / "aws_fragments.yaml"), "aws")
    yield running.url_for("aws")
    running.stop()


def test_the_x_amz_target_header_chooses_the_operation(aws: str) -> None:
    made = post_json(aws + "/", {"Name": "a"}, **{"X-Amz-Target": "Svc.CreateThing"})
    assert made.status_code == 200, made.text
    assert "Arn" in made.json()
    gone = post_json(aws + "/", {"Arn": "x"}, **{"X-Amz-Target": "Svc.DeleteThing"})
    assert gone.status_code == 200, gone.text
    assert "Deleted" in gone.json()


def test_without_its_condition_a_request_is_refused_as_invalid(aws: str) -> None:
    refused = post_json(aws + "/", {"Name": "a"})
    assert refused.status_code == 400
    assert "X-Amz-Target" in refused.json()["detail"]


def test_the_action_query_parameter_chooses_the_operation(aws: str) -> None:
    purged = requests.get(aws + "/123/jobs/", params={"Action": "PurgeQueue"}, timeout=10)
    assert purged.status_code == 200, purged.text
    assert purged.headers["Content-Type"].startswith("application/xml")
    assert requests.get(aws + "/123/jobs/", timeout=10).status_code == 400


def test_operations_under_a_hash_key_are_validated_by_openapi_core_too(aws: str) -> None:
    tagged = requests.get(
        aws + "/123/jobs/", params={"Action": "TagQueue", "Tags[team]": "a"}, timeout=10
    )
    assert tagged.status_code == 200, tagged.text
    untagged = requests.get(aws + "/123/jobs/", params={"Action": "TagQueue"}, timeout=10)
    assert untagged.status_code == 400
    assert "Tags" in untagged.json()["detail"]


def test_a_templated_query_in_a_path_key_fills_its_path_parameter(aws: str) -> None:
    found = requests.get(aws + "/users/7/pic", params={"key": "secret"}, timeout=10)
    assert found.status_code == 200, found.text
    assert "url" in found.json()
    short = requests.get(aws + "/users/7/pic", params={"key": "ab"}, timeout=10)
    assert short.status_code == 400
    assert "APIKEY" in short.json()["detail"]
    assert requests.get(aws + "/users/7/pic", timeout=10).status_code == 400


def test_an_encoded_slash_stays_inside_its_path_parameter(aws: str) -> None:
    arn = "arn:aws:vpc-lattice:eu-west-1:123456789012:service/svc-0123456789abcdefg"
    encoded = requests.utils.quote(arn, safe="")
    found = requests.get(aws + "/services/" + encoded, timeout=10)
    assert found.status_code == 200, found.text
    assert requests.get(aws + "/services/svc-0123456789abcdefg", timeout=10).status_code == 200
    # a real slash is a real segment: no such path
    assert requests.get(aws + "/services/" + arn, timeout=10).status_code == 404
    refused = requests.get(aws + "/services/" + encoded.replace("svc-", "xyz-"), timeout=10)
    assert refused.status_code == 400
    assert "serviceIdentifier" in refused.json()["detail"]


# -- templates of one shape ----------------------------------------------------------------
@pytest.fixture(scope="module")
def alike() -> Iterator[tuple[MockServer, str]]:
    running = MockServer().start()
    running.add_spec(load_spec(FIDELITY / "same_shape.yaml"), "alike")
    yield running, running.url_for("alike")
    running.stop()


def test_required_parameters_choose_among_templates_of_one_shape(
    alike: tuple[MockServer, str],
) -> None:
    _, base = alike
    job = requests.get(base + "/v1/transferJobs%2F1", params={"projectId": "p"}, timeout=10)
    assert job.status_code == 200, job.text
    assert "jobName" in job.json()
    target = base + "/v1/transferOperations%2F1"
    operation = requests.get(target, params={"filter": "f"}, timeout=10)
    assert operation.status_code == 200, operation.text
    assert "done" in operation.json()
    # DELETE is declared on the second template only: no 405
    assert requests.delete(base + "/v1/transferOperations%2F1", timeout=10).status_code == 204
    # neither operation's required parameters: refused, as the first template's request
    assert requests.get(base + "/v1/x", timeout=10).status_code == 400


def test_the_body_chooses_when_parameters_cannot(alike: tuple[MockServer, str]) -> None:
    server, base = alike
    opened = post_json(base + "/accounts/a1", {"email": "a@b.c", "id": "a1"}, "PUT")
    described = post_json(base + "/accounts/a1", {"description": "gold"}, "PUT")
    assert (opened.status_code, described.status_code) == (200, 200), described.text
    assert "opened" in opened.json()
    assert "described" in described.json()
    journaled = [r.operation for r in server.engine.journal.records(collection="alike")][-2:]
    assert journaled == ["PUT /accounts/{accountId}", "PUT /accounts/{creditAccountId}"]
    neither = post_json(base + "/accounts/a1", {}, "PUT")
    assert neither.status_code == 400
    assert "'email' is a required property" in neither.json()["detail"]


# -- NaN and Infinity are not JSON ------------------------------------------------------------
@pytest.mark.parametrize("path", ["/readings", "/readings/batch?tags=a|b"])
@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_make_a_body_malformed(server: MockServer, path: str, token: str) -> None:
    response = requests.post(
        url(server, "json-numbers", path),
        data=f'{{"value": {token}}}',
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400, response.text  # the document declares no 4xx
    text = json.dumps(response.json()["violations"])
    assert f"{token.lstrip('-')} is not a JSON number" in text


@pytest.mark.parametrize(("path", "status"), [("/readings", 201), ("/readings/batch?tags=a", 204)])
def test_real_numbers_and_the_words_in_strings_pass(
    server: MockServer, path: str, status: int
) -> None:
    for body in ({"value": 21.5}, {"value": -1e300, "note": "NaN"}):
        assert post_json(url(server, "json-numbers", path), body).status_code == status


# -- framing headers declared in a document (GitHub's POST /markdown) ---------------------
def test_framing_headers_a_document_declares_are_written_by_the_server(
    server: MockServer,
) -> None:
    """One Content-Length, the body's; no Transfer-Encoding, Connection or Content-Encoding
    copied from the document; the connection stays usable; other headers are kept."""
    target = urllib.parse.urlsplit(url(server, "framing-headers", "/markdown"))
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    try:
        for _ in range(2):  # the second request on the same kept-alive connection
            conn.request(
                "POST", target.path, body=b'{"text": "Hello"}',
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            answer = conn.getresponse()
            body = answer.read()
            assert answer.status == 200
            assert body == b"<p>Hello <strong>world</strong></p>"
            assert answer.msg.get_all("Content-Length") == [str(len(body))]
            for name in ("Transfer-Encoding", "Connection", "Content-Encoding"):
                assert answer.getheader(name) is None, name
            assert answer.getheader("X-CommonMarker-Version") == "0.17.4"
            assert answer.getheader("Content-Type") == "text/html; charset=utf-8"
    finally:
        conn.close()
    assert requests.post(target.geturl(), json={"text": "x"}, timeout=10).ok


# -- an example without its discriminator property (GitHub's GET /user) -------------------
def test_an_answer_carries_its_discriminator_property(server: MockServer) -> None:
    """The example lacks ``user_view_type``: it is not served as it is; the answer names
    the branch it is (and holds that branch's required fields), and openapi-core accepts it."""
    from openapi_core import OpenAPI
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    target = url(server, "untagged-example", "/user")
    for _ in range(3):
        answer = requests.get(target, timeout=10)
        assert answer.status_code == 200
        body = answer.json()
        assert body["user_view_type"] in ("private", "public")
        if body["user_view_type"] == "private":
            assert "plan" in body
    document = yaml.safe_load((FIDELITY / "untagged_example.yaml").read_text())
    document["servers"] = [{"url": server.url_for("untagged-example")}]
    OpenAPI.from_dict(document).validate_response(
        RequestsOpenAPIRequest(answer.request), RequestsOpenAPIResponse(answer)
    )


# -- non-ASCII text in a format: byte field (Azure Key Vault) ------------------------------
@pytest.mark.parametrize("sent", ["\u00e9\u00e9", "\u2026de34534\u2026", "YWJj\u00e9"])
def test_non_ascii_text_in_a_byte_field_is_a_violation_not_a_crash(
    server: MockServer, sent: str
) -> None:
    target = url(server, "byte-format", "/certificates/merge")
    refused = post_json(target, {"x5c": [sent]})
    assert refused.status_code == 400, refused.text
    (violation,) = refused.json()["violations"]
    assert violation["name"] == "x5c.0"
    assert "is not a 'byte'" in violation["message"]
    answered = post_json(target, {"x5c": ["YWJj"]})
    assert answered.status_code == 201, answered.text
    cer = answered.json()["cer"]
    assert cer != "\u2026\u2026de34534\u2026\u2026"  # the invalid example is not served
    assert base64.b64decode(cer, validate=True) is not None


# -- proxy headers declared as parameters (VTEX) --------------------------------------------
def test_proxy_headers_reach_the_mock_as_the_client_sent_them(server: MockServer) -> None:
    target = url(server, "forwarded-headers", "/pvt/orders")
    sent = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "Forwarded": "for=x"}
    answered = requests.post(target, headers=sent, timeout=10)
    assert answered.status_code == 200, answered.text
    (record,) = [r for r in server.engine.journal.records() if r.collection == "forwarded-headers"]
    assert record.ok
    refused = requests.post(target, headers={"X-Forwarded-Proto": "gopher"}, timeout=10)
    assert refused.status_code == 400
    named = {(v["name"], v["location"]) for v in refused.json()["violations"]}
    assert named == {("X-Forwarded-For", "header"), ("X-Forwarded-Proto", "header")}


# -- answers that are not JSON (XML APIs, Mercure's event stream, Intellifi's images) -------
def typed(server: MockServer, path: str, method: str = "GET", **headers: str) -> requests.Response:
    target = url(server, "typed-bodies", path)
    answer = requests.request(method, target, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer


def test_an_xml_answer_is_xml_named_and_shaped_as_the_schema_says(server: MockServer) -> None:
    """The root is named after its component, ``xml.attribute`` is an attribute, a wrapped
    array has its own element, an unwrapped one repeats under the property's name."""
    from xml.etree import ElementTree

    answer = typed(server, "/pets/3")
    assert answer.headers["Content-Type"] == "application/xml"
    assert answer.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    pet = ElementTree.fromstring(answer.content)
    assert pet.tag == "Pet"
    assert int(pet.attrib["id"]) >= 1
    assert pet.findtext("name")
    (photos,) = pet.findall("photoUrls")
    assert [child.tag for child in photos] == ["photoUrl"] * len(photos)
    assert len(photos) >= 1
    assert len(pet.findall("tags")) >= 1
    assert all(t.text for t in pet.findall("tags"))
    listed = ElementTree.fromstring(typed(server, "/pets").content)
    assert listed.tag == "pets"
    assert {child.tag for child in listed} <= {"Pet"}


def test_an_xml_example_written_as_an_object_is_sent_as_xml(server: MockServer) -> None:
    from xml.etree import ElementTree

    answer = typed(server, "/orders/1")
    assert answer.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert b'xmlns:o="https://example.com/schema/order"' in answer.content
    order = ElementTree.fromstring(answer.content)
    assert order.tag == "{https://example.com/schema/order}Order"
    assert order.attrib == {"number": "A-1"}
    assert [(line.tag, line.text) for line in order] == [("line", "tea"), ("line", "cups")]


def test_an_xml_example_written_as_text_is_sent_as_it_is(server: MockServer) -> None:
    assert typed(server, "/legacy").content == b'<status code="ok"/>'


def _png_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height, after checking its signature and every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, kinds = 8, []
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, chunk = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + chunk) & 0xFFFFFFFF == crc, kind
        if kind == b"IDAT":
            assert zlib.decompress(chunk)
        kinds.append(kind)
        at += 12 + length
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_an_image_range_is_answered_with_a_real_image_of_a_type_inside_it(
    server: MockServer,
) -> None:
    """``image/*`` with a binary string: a PNG by default, the type Accept names inside
    the range otherwise; never application/json."""
    answer = typed(server, "/images/1")
    assert answer.headers["Content-Type"] == "image/png"
    assert _png_size(answer.content) == (1, 1)
    asked = typed(server, "/images/1", Accept="image/gif")
    assert asked.headers["Content-Type"] == "image/gif"
    assert asked.content.startswith(b"GIF89a")
    icon = typed(server, "/icons/7")
    assert icon.headers["Content-Type"] == "image/gif"
    assert icon.content.startswith(b"GIF89a")
    assert icon.content.endswith(b";")
    audio = typed(server, "/recordings/1")
    assert audio.headers["Content-Type"] == "audio/mpeg"
    assert len(audio.content) == 16


def test_a_media_type_without_a_schema_gets_a_body_of_that_type(server: MockServer) -> None:
    events = typed(server, "/events")
    assert events.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert re.fullmatch(r"data: \S+\n\n", events.text)
    update = typed(server, "/updates", method="POST")
    assert update.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert update.text.strip()
    page = typed(server, "/page")
    assert page.text.startswith("<!DOCTYPE html>")
    assert "</html>" in page.text
    rows = typed(server, "/export").text.splitlines()
    assert rows[0] == "value"
    assert len(rows) == 2


def test_a_text_range_is_answered_as_text(server: MockServer) -> None:
    answer = typed(server, "/notes/1")
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert json.loads(answer.text)["title"]


def test_a_csv_of_objects_is_a_table_and_a_form_is_form_encoded(server: MockServer) -> None:
    import csv
    import io

    table = typed(server, "/reports")
    assert table.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert rows
    assert all(row["id"].lstrip("-").isdigit() for row in rows)
    assert all(row["city"] for row in rows)
    token = typed(server, "/oauth/request_token", method="POST")
    assert token.headers["Content-Type"] == "application/x-www-form-urlencoded"
    fields = urllib.parse.parse_qs(token.text)
    assert set(fields) == {"oauth_token", "oauth_token_secret", "oauth_callback_confirmed"}
    assert fields["oauth_callback_confirmed"][0] in ("true", "false")


# -- a binary media type with a string schema (Spotify's base64 JPEG upload) --------------
@pytest.mark.parametrize(
    ("path", "media", "body", "status"),
    [
        ("/playlists/p1/images", "image/jpeg", b"/9j/2wCEABoZGSc=", 202),
        ("/playlists/p1/images", "image/jpeg", b"not base64!", 400),
        ("/photos", "image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF", 204),
        ("/signatures", "application/pkcs7-signature", b"\x30\x82\x01", 204),
        ("/signatures", "application/pkcs7-signature", b"too long a signature", 400),
    ],
)
def test_a_binary_type_with_a_string_schema_is_checked_as_that_string(
    server: MockServer, path: str, media: str, body: bytes, status: int
) -> None:
    target = url(server, "opaque-bodies", path)
    answer = requests.put(target, data=body, headers={"Content-Type": media}, timeout=10)
    assert answer.status_code == status, answer.text
    if status == 400:
        (violation,) = answer.json()["violations"]
        assert violation["location"] == "body"
        assert "not of type" not in violation["message"]


# -- variables side by side in one segment (healthcare.gov) --------------------------------
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/about.json", 200),
        ("/about.jsonld", 200),
        ("/state.of.the.union.json", 200),
        ("/about.xml", 404),
        ("/files/report.2024.json", 200),
        ("/files/report.csv", 404),
    ],
)
def test_variables_side_by_side_split_where_the_document_allows(
    server: MockServer, path: str, status: int
) -> None:
    answer = requests.get(url(server, "adjacent-variables", path), timeout=10)
    assert answer.status_code == status, answer.text


def test_the_split_values_reach_the_request_record(server: MockServer) -> None:
    assert requests.get(url(server, "adjacent-variables", "/faq.jsonld"), timeout=10).ok
    (record,) = [
        r for r in server.engine.journal.records()
        if r.collection == "adjacent-variables" and r.path.endswith("/faq.jsonld")
    ]  # fmt: skip
    assert record.ok
