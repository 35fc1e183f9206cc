"""cudis-contract: check any CUDIS implementation against openapi/cudis-v1.yaml.

The hypothesis strategies of `contract_tests.strategies` are re-exported here, loaded on
first use so that importing the package (the mock does, for its rules) stays cheap.
"""

from __future__ import annotations

from typing import Any

_STRATEGIES = (
    "QueryRequest",
    "invalid_requests",
    "query_operations",
    "success_data",
    "success_envelopes",
    "unix_seconds",
    "valid_ranges",
    "valid_requests",
)
__all__ = list(_STRATEGIES)


def __getattr__(name: str) -> Any:
    if name in _STRATEGIES:
        from . import strategies

        return getattr(strategies, name)
    raise AttributeError(f"module 'contract_tests' has no attribute {name!r}")
