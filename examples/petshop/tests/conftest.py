"""The client under test, pointed at the mock instead of the production server."""

from __future__ import annotations

import pytest
from petshop_client import PetShopClient


@pytest.fixture
def client(mockamocha):
    """A ``PetShopClient`` that talks to this test's mock of ``openapi.yaml``."""
    return PetShopClient(mockamocha.base_url, api_key="test-key")
