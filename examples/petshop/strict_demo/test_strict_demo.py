"""Fails on purpose: what strict mode reports. Not part of the suite (see pytest.ini).

Run it with ``python -m pytest strict_demo -q`` from ``examples/petshop``.
"""

from __future__ import annotations

import pytest
from petshop_client import PetShopClient, PetShopError


def test_zero_limit_is_refused(mockamocha):
    client = PetShopClient(mockamocha.base_url, api_key="test-key")

    # The test expects an error and gets one, so it would pass on its own. But the
    # document says limit >= 1: the client broke the contract, and strict mode fails
    # the test, naming the request and the violated rule.
    with pytest.raises(PetShopError):
        client.list_pets(limit=0)
