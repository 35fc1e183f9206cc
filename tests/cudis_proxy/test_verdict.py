"""The proxy's verdict on an exchange is the one the contract suite's engine gives for the same exchange."""

from __future__ import annotations

import time

import pytest
import requests

from contract_tests.cases import Case, classify_body
from contract_tests.checks import Context
from contract_tests.engine import judge
from contract_tests.findings import Severity
from contract_tests.runner import explicit_bodies
from contract_tests.transport import Transport
from cudis_spec import QueryOperation, load_spec

from ..contract_tests.implementations.reference import CLIENT_ID, TOKEN, Behaviour, Defect, create_reference_app
from ..servers import MockProcess, in_thread
from .conftest import proxy_to

SPEC = load_spec()
# Defects the proxy can see in the exchange alone (not those only a probe with bad credentials reveals).
DEFECTS: list[Defect | None] = [
    None,
    "error-without-msg",
    "error-data-not-null",
    "string-numbers",
    "missing-field",
    "wrong-maximum",
    "wrong-ratios",
    "includes-today",
    "unsorted",
    "crash-on-string",
    "accepts-garbage",
    "refuses-valid-range",
    "text-plain",
]


def _suite_header(
    operation: QueryOperation, transport: Transport, method: str, headers: dict[str, str], body: bytes | None
) -> str:
    """What cudis-contract finds in the same request sent straight to the upstream, as the header spells it."""
    exchange = transport.send(method, operation.path, headers, body)
    case = Case(operation, classify_body(SPEC, operation, body, headers.get("Content-Type", "")))
    breaks = [broke for _family, broke in judge(Context(SPEC, time.time()), exchange, case)]
    failures = list(dict.fromkeys(b.rule for b in breaks if b.severity is Severity.FAILURE))
    warnings = list(dict.fromkeys(b.rule for b in breaks if b.severity is Severity.WARNING))
    if failures:
        return "fail; " + ", ".join(failures)
    return "warn; " + ", ".join(warnings) if warnings else "pass"


def _compare(upstream: str, token: str, client_id: str) -> set[str]:
    """Send the suite's explicit requests (and a POST) through the proxy; assert each verdict; the verdicts seen."""
    seen: set[str] = set()
    direct = Transport(upstream)
    with proxy_to(upstream) as proxy:
        for operation in SPEC.queries:
            for label, body, content_type in explicit_bodies(time.time()):
                headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": client_id}
                if content_type:
                    headers["Content-Type"] = content_type
                for method in (operation.method, "POST"):
                    through = requests.request(method, proxy + operation.path, data=body, headers=headers, timeout=30)
                    expected = _suite_header(operation, direct, method, headers, body)
                    assert through.headers["X-Cudis-Contract"] == expected, (operation.path, label, method)
                    seen.add(expected)
    direct.close()
    return seen


@pytest.mark.parametrize("defect", DEFECTS)
def test_verdicts_equal_the_suites_on_the_reference_and_its_one_defect_variants(defect: Defect | None) -> None:
    with in_thread(create_reference_app(Behaviour(defect=defect))) as upstream:
        seen = _compare(upstream, TOKEN, CLIENT_ID)
    if defect is not None:
        assert any(v.startswith("fail; ") for v in seen), f"{defect}: the proxy saw nothing wrong: {seen}"
    else:
        assert not any(v.startswith("fail; ") for v in seen), seen


def test_verdicts_equal_the_suites_on_the_mock(mock_process: MockProcess) -> None:
    assert _compare(mock_process.base_url, mock_process.token, "cudis-wellness") == {"pass"}


def test_a_failing_exchange_names_its_rules_in_the_journal() -> None:
    with in_thread(create_reference_app(Behaviour(defect="wrong-maximum"))) as upstream, proxy_to(upstream) as proxy:
        end = int(time.time())
        headers = {"Authorization": f"Bearer {TOKEN}", "Cudis-Client-Id": CLIENT_ID}
        answer = requests.get(
            f"{proxy}/partner/v1/query/heart_beat", json={"startTime": end - 5 * 86400, "endTime": end}, headers=headers
        )
        assert answer.headers["X-Cudis-Contract"] == "fail; heart.maximum-is-max-of-maxY"
        (entry,) = requests.get(f"{proxy}/__mock__/requests", timeout=10).json()["requests"]
        assert entry["verdict"] == "fail; heart.maximum-is-max-of-maxY"
        assert [(b["rule"], b["severity"]) for b in entry["broken"]] == [("heart.maximum-is-max-of-maxY", "failure")]
