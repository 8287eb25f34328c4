"""The management REST API: auth, keys, users, collections, imports, endpoints, rules."""

from pytest_mockamocha.api.app import ManagementApi, build_api

__all__ = ["ManagementApi", "build_api"]
