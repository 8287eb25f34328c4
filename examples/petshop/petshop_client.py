"""A small client for the Pet Shop API described in ``openapi.yaml``.

This is the code under test in this example: an ordinary ``requests``-based client that
knows nothing of pytest-mockamocha. The tests give it the mock's URL in place of the
production one (``https://petshop.example.com/v1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

#: Answers come as JSON, errors as RFC 9457 problem details.
ACCEPT = "application/json, application/problem+json"


class PetShopError(Exception):
    """The Pet Shop answered with an error; ``problem`` holds its problem details."""

    def __init__(self, status: int, problem: dict[str, Any]):
        self.status = status
        self.problem = problem
        detail = problem.get("detail") or problem.get("title") or "no details"
        super().__init__(f"HTTP {status}: {detail}")


class PetNotFound(PetShopError):
    """No pet has the requested id (HTTP 404)."""

    def __init__(self, pet_id: int, problem: dict[str, Any]):
        self.pet_id = pet_id
        super().__init__(404, problem)


class ValidationFailed(PetShopError):
    """The shop refused the pet we sent (any 4xx answer to ``create_pet``)."""


class ServiceUnavailable(PetShopError):
    """The shop answered 503 twice in a row."""


@dataclass(frozen=True)
class Pet:
    """A pet as the shop returns it."""

    id: int
    name: str
    status: str
    tag: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pet:
        """The pet in a JSON object of the API."""
        return cls(id=data["id"], name=data["name"], status=data["status"], tag=data.get("tag"))


class PetShopClient:
    """Talks to the Pet Shop API at ``base_url`` (which ends before ``/pets``)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        session: requests.Session | None = None,
        timeout: float = 5.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout
        self.headers = {"Accept": ACCEPT}
        if api_key is not None:
            self.headers["X-API-Key"] = api_key

    def list_pets(self, limit: int | None = None, status: str | None = None) -> list[Pet]:
        """The pets, optionally at most ``limit`` of them, optionally only those in ``status``."""
        params = {
            name: value
            for name, value in (("limit", limit), ("status", status))
            if value is not None
        }
        response = self._send("GET", "/pets", params=params)
        _raise_for_status(response)
        return [Pet.from_json(item) for item in response.json()]

    def get_pet(self, pet_id: int) -> Pet:
        """The pet with this id; raises ``PetNotFound`` when there is none."""
        response = self._send("GET", f"/pets/{pet_id}")
        if response.status_code == 404:
            raise PetNotFound(pet_id, _problem(response))
        _raise_for_status(response)
        return Pet.from_json(response.json())

    def create_pet(self, name: str, tag: str | None = None) -> Pet:
        """Add a pet; raises ``ValidationFailed`` (with the problem details) on a 4xx."""
        body: dict[str, Any] = {"name": name}
        if tag is not None:
            body["tag"] = tag
        response = self._send("POST", "/pets", json=body)
        if 400 <= response.status_code < 500:
            raise ValidationFailed(response.status_code, _problem(response))
        _raise_for_status(response)
        return Pet.from_json(response.json())

    def delete_pet(self, pet_id: int) -> None:
        """Remove a pet; raises ``PetNotFound`` when there is none."""
        response = self._send("DELETE", f"/pets/{pet_id}")
        if response.status_code == 404:
            raise PetNotFound(pet_id, _problem(response))
        _raise_for_status(response)

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request; a 503 is retried once, at once."""
        url = self.base_url + path
        response = self.session.request(
            method, url, headers=self.headers, timeout=self.timeout, **kwargs
        )
        if response.status_code == 503:
            response.close()
            response = self.session.request(
                method, url, headers=self.headers, timeout=self.timeout, **kwargs
            )
        return response


def _problem(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"title": response.reason, "status": response.status_code}
    return body if isinstance(body, dict) else {"status": response.status_code}


def _raise_for_status(response: requests.Response) -> None:
    if response.status_code == 503:
        raise ServiceUnavailable(503, _problem(response))
    if response.status_code >= 400:
        raise PetShopError(response.status_code, _problem(response))
