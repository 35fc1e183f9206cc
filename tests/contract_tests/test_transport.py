"""Curl reproductions and rate limits."""

from __future__ import annotations

import pytest

from contract_tests.transport import ContractUsageError, Exchange, Transport, parse_rate_limit


def test_curl_reproduces_the_request_with_secrets_as_variables() -> None:
    transport = Transport("http://127.0.0.1:9/", secrets={"SECRET": "CUDIS_TOKEN"})
    exchange = Exchange(
        "GET", "http://127.0.0.1:9/partner/v1/query/step",
        {"Authorization": "Bearer SECRET", "Content-Type": "application/json"}, b'{"startTime": 1}',
    )  # fmt: skip
    assert transport.curl(exchange) == (
        'curl -sS -i -X GET http://127.0.0.1:9/partner/v1/query/step -H "Authorization: Bearer ${CUDIS_TOKEN}"'
        " -H 'Content-Type: application/json' --data-raw '{\"startTime\": 1}'"
    )


def test_curl_pipes_bytes_that_are_not_printable() -> None:
    exchange = Exchange("GET", "http://h/p", {}, b"\xbc%")
    assert (
        Transport("http://h").curl(exchange) == "printf '\\274\\045' | curl -sS -i -X GET http://h/p --data-binary @-"
    )


@pytest.mark.parametrize(("text", "per_second"), [("20", 20.0), ("20/s", 20.0), ("600/m", 10.0), ("3600/h", 1.0)])
def test_rate_limits(text: str, per_second: float) -> None:
    assert parse_rate_limit(text) == per_second


@pytest.mark.parametrize("text", ["fast", "0", "5/d", "-1/s"])
def test_bad_rate_limits_are_usage_errors(text: str) -> None:
    with pytest.raises(ContractUsageError):
        parse_rate_limit(text)
