"""Request records, the bounded journal, and what is aggregated from them."""

from pytest_mockamocha.analytics.journal import Journal, RequestRecord

__all__ = ["Journal", "RequestRecord"]
