"""schemathesis in negative mode against a real `cudis-mock serve`: every invalid request is refused clearly.

Valid credentials are sent unless the case is negative in its headers, so that the body and
query string reach the parser instead of stopping at 20007.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from schemathesis import Case, CheckContext, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi import checks as builtin

from contract_tests.schemathesis_checks import BUILTINS_REPLACED, negative_data_rejected_by_envelope
from cudis_spec.files import admin_spec_path
from cudis_spec.files import api_spec_path as spec_path

from .harness import CLIENT_ID, ServedMock

api = schemathesis.openapi.from_path(spec_path())
admin = schemathesis.openapi.from_path(admin_spec_path())
for _schema in (api, admin):
    _schema.config.generation.update(modes=[GenerationMode.NEGATIVE], max_examples=25)


def answered_clearly(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """No 5xx; a refusal is a `{code, msg, data}` envelope with a message; HTML forbids script and framing."""
    assert response.status_code < 500, f"HTTP {response.status_code}: {response.content[:300]!r}"
    media = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    if media == "application/json":
        document = json.loads(response.content)
        refused = response.status_code >= 400 or (
            isinstance(document, dict) and set(document) == {"code", "msg", "data"}
        )
        if refused:
            assert isinstance(document, dict) and set(document) == {"code", "msg", "data"}, document
            assert isinstance(document["msg"], str) and document["msg"], document
    elif media == "text/html" and response.content:
        csp = (response.headers.get("content-security-policy") or [""])[0]
        assert "frame-ancestors 'none'" in csp, csp
        assert b"<script" not in response.content
    elif response.content and response.status_code not in {201, 302}:
        raise AssertionError(f"HTTP {response.status_code} with content type {media!r}")
    return True


@pytest.fixture(scope="module")
def negative_mock(served_mock: ServedMock) -> ServedMock:
    """The session's mock, reset once for the module (a fixture per test would run once per operation,
    not per case, and Hypothesis refuses that). The control API's cases add faults and reset state; the
    next test's `mock` resets it again."""
    served_mock.reset()
    return served_mock


def rejected_unless_a_page(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Invalid input is refused, except by an HTML page: a browser form sends `?to=` for an empty
    date field, and a page that shows its default for it is right to do so."""
    media = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    if media == "text/html":
        return None
    return negative_data_rejected_by_envelope(ctx, response, case)


def _headers(case: Case, mock: ServedMock) -> dict[str, str]:
    meta = case.meta
    if meta is not None and meta.is_negative_at(ParameterLocation.HEADER):
        return {}
    return {"Authorization": f"Bearer {mock.token}", "Cudis-Client-Id": CLIENT_ID}


def _call(case: Case, mock: ServedMock) -> None:
    case.call_and_validate(
        base_url=mock.base_url,
        headers=_headers(case, mock),
        checks=[not_a_server_error, answered_clearly, rejected_unless_a_page],
        excluded_checks=[*BUILTINS_REPLACED, builtin.unsupported_method],
    )


@api.parametrize()
def test_api_refuses_invalid_requests_clearly(case: Case, negative_mock: ServedMock) -> None:
    _call(case, negative_mock)


@admin.parametrize()
def test_control_api_refuses_invalid_requests_clearly(case: Case, negative_mock: ServedMock) -> None:
    _call(case, negative_mock)


# Cases that random runs found before the gate was derandomized, kept as explicit examples so that every run
# of the gate tries them (docs/reliability.md, "A deterministic gate"). The module's mock is reset once, so
# the control API's accepted cases add up: a run that advanced the clock by a century often enough took it
# past the year 9999, and every later request failed with a 500.
CENTURY = 3153600000


def test_advancing_the_clock_again_and_again_is_answered_clearly(negative_mock: ServedMock) -> None:
    advance = admin["/__mock__/clock/advance"]["POST"]
    for seconds in [CENTURY] * 40 + [-CENTURY] * 80:
        _call(advance.Case(body={"seconds": seconds}, media_type="application/json"), negative_mock)
    _call(admin["/__mock__/clock"]["GET"].Case(), negative_mock)
    now = negative_mock.raw().request("GET", "/__mock__/clock", b"")
    assert now.status == 200 and 0 <= now.json()["now"] <= 99999999999


def test_latency_faults_cannot_add_up_past_the_cap(negative_mock: ServedMock) -> None:
    add = admin["/__mock__/faults"]["POST"]
    for _ in range(3):
        _call(add.Case(body={"kind": "latency", "ms": 15000, "times": 1}, media_type="application/json"), negative_mock)
    listed = negative_mock.raw().request("GET", "/__mock__/faults", b"")
    assert sum(f.get("ms", 0) for f in listed.json()["faults"]) <= 20000
    negative_mock.raw().request("DELETE", "/__mock__/faults", b"")


@pytest.mark.parametrize("metric", ["heart_beat", "step", "sleep"])
def test_the_mock_still_answers_after_the_negative_run(mock: ServedMock, metric: str) -> None:
    cleared = mock.raw().request("DELETE", "/__mock__/faults", b"")
    assert cleared.status < 300
    response = mock.query(mock.mint(), metric=metric)
    assert response.envelope["code"] == 200
