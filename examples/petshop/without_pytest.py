"""The mock without pytest: ``MockServer`` and the ``Mockamocha`` handle as context managers.

Run it with ``python without_pytest.py`` from ``examples/petshop``.
"""

from __future__ import annotations

from pathlib import Path

from petshop_client import PetNotFound, PetShopClient

from pytest_mockamocha import Mockamocha, MockServer

HERE = Path(__file__).parent


def main() -> None:
    with MockServer() as server:  # 127.0.0.1, a free port, waitress
        server.add_spec(HERE / "openapi.yaml")
        with Mockamocha(server, test="without-pytest") as mock:
            mock.when("GET /pets/{petId}", path={"petId": 7}).respond(status=404)
            client = PetShopClient(mock.base_url, api_key="test-key")
            try:
                client.get_pet(7)
            except PetNotFound as exc:
                print(f"pet 7: {exc}")
            print(f"pet 1: {client.get_pet(1)}")
            mock.assert_called("getPet", times=2)


if __name__ == "__main__":
    main()
