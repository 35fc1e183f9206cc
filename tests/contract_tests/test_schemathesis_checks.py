"""The engine's checks under schemathesis: they fail a broken implementation and pass a correct one.

Each request goes through schemathesis (`call_and_validate`) to the reference implementation
with one defect; the adapter must raise for the defect's FAILURE and never for a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
import schemathesis
from hypothesis import Phase, given, settings
from schemathesis import CheckFunction, GenerationMode
from schemathesis.core.failures import FailureGroup

from contract_tests.schemathesis_checks import (
    Credentials,
    ignored_auth_by_envelope,
    keeps_the_contract,
    negative_data_rejected_by_envelope,
)
from cudis_spec import load_spec

from .implementations.reference import CLIENT_ID, EXPIRED_TOKEN, TOKEN, Behaviour, Defect

Serve = Callable[[Behaviour], AbstractContextManager[str]]
SCHEMA = schemathesis.openapi.from_dict(load_spec().suite_view)
STEP = SCHEMA["/partner/v1/query/step"]["GET"]
CREDENTIALS = Credentials(TOKEN, CLIENT_ID)
DAY = 86400


def _send(base_url: str, body: object, check: CheckFunction) -> None:
    case = STEP.Case(body=body, media_type="application/json", headers=CREDENTIALS.headers())
    case.call_and_validate(base_url=base_url, checks=[check])


def _recent(days: int = 3) -> dict[str, int]:
    now = int(CREDENTIALS.now())
    return {"startTime": now - days * DAY, "endTime": now}


@pytest.mark.parametrize(
    ("defect", "sent", "rule"),
    [
        ("refuses-valid-range", _recent(20), "valid-request-succeeds"),
        ("wrong-count-step", _recent(), "step.countStep-is-sum-of-y"),
        ("includes-today", _recent(), "step.dates"),
        ("renamed-field", _recent(), "response-schema:data.countStep"),
        ("text-plain", _recent(), "response.content-type"),
        ("accepts-garbage", {"startTime": "x", "endTime": 1}, "invalid-input-refused"),
        ("error-data-not-null", {"startTime": "x", "endTime": 1}, "envelope.error-data-null"),
    ],
)
def test_keeps_the_contract_fails_each_broken_implementation(
    serve_reference: Serve, defect: Defect, sent: object, rule: str
) -> None:
    with serve_reference(Behaviour(defect=defect)) as base_url, pytest.raises(FailureGroup) as failed:
        _send(base_url, sent, keeps_the_contract(CREDENTIALS))
    assert f"{rule}: " in str(failed.value.exceptions[0])


def test_keeps_the_contract_passes_the_reference_and_its_warnings(serve_reference: Serve) -> None:
    # 10001 for bad input is only a warning (`bad-input-codes`): it must not fail.
    with serve_reference(Behaviour(bad_input_code=10001, error_status="mapped")) as base_url:
        for sent in (_recent(), {"startTime": "x", "endTime": 1}, {"startTime": -5, "endTime": 1}):
            _send(base_url, sent, keeps_the_contract(CREDENTIALS))


@pytest.mark.parametrize(
    ("defect", "rule"),
    [("accepts-any-token", "authorization.wrong-token"), ("ignores-expiry", "authorization.expired-token")],
)
def test_ignored_auth_by_envelope_fails_each_broken_implementation(
    serve_reference: Serve, defect: Defect, rule: str
) -> None:
    check = ignored_auth_by_envelope(CREDENTIALS, expired_token=EXPIRED_TOKEN)
    with serve_reference(Behaviour(defect=defect)) as base_url, pytest.raises(FailureGroup) as failed:
        _send(base_url, _recent(), check)
    assert f"{rule}: " in str(failed.value.exceptions[0])


def test_ignored_auth_by_envelope_passes_the_reference(reference_url: str) -> None:
    _send(reference_url, _recent(), ignored_auth_by_envelope(CREDENTIALS, expired_token=EXPIRED_TOKEN))


def _negative_run(base_url: str) -> None:
    """schemathesis' negative cases for `step`, each judged by `negative_data_rejected_by_envelope`."""

    @settings(max_examples=15, derandomize=True, database=None, deadline=None, phases=[Phase.generate])
    @given(STEP.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(
            base_url=base_url, headers=CREDENTIALS.headers_for(case), checks=[negative_data_rejected_by_envelope]
        )

    run()


def test_negative_data_rejected_by_envelope_sees_a_refusal_sent_with_http_200(
    serve_reference: Serve, reference_url: str
) -> None:
    _negative_run(reference_url)
    with serve_reference(Behaviour(defect="accepts-garbage")) as base_url, pytest.raises(FailureGroup):
        _negative_run(base_url)
