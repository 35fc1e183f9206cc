"""The suite's power: it passes the mock and a correct independent implementation, and fails each broken one."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from contract_tests.findings import Severity
from contract_tests.runner import SuiteOptions, run_suite
from mock_server.context import mock_context
from mock_server.oauth.tokens import mint

from ..conftest import LiveMock
from .conftest import judge
from .implementations.reference import Behaviour, Defect

Serve = Callable[[Behaviour], AbstractContextManager[str]]

# defect -> (the rules that must be reported, the rules that may also be reported)
BROKEN: dict[Defect, tuple[set[str], set[str]]] = {
    # envelope
    "error-without-msg": ({"envelope.fields"}, set()),
    "error-data-not-null": ({"envelope.error-data-null"}, set()),
    # types
    "string-numbers": ({"response-schema:data.maximum"}, set()),
    "bad-date-format": ({"response-schema:data.list[].date"}, {"heart.dates", "step.dates", "sleep.dates"}),
    # missing or renamed fields
    "missing-field": ({"response-schema:data.average"}, set()),
    "renamed-field": ({"response-schema:data.countStep"}, set()),
    # aggregates
    "wrong-maximum": ({"heart.maximum-is-max-of-maxY"}, set()),
    "wrong-count-step": ({"step.countStep-is-sum-of-y"}, set()),
    "wrong-ratios": ({"sleep.ratios-sum-to-100"}, set()),
    # date ranges
    "includes-today": ({"heart.dates", "step.dates", "sleep.dates"}, set()),
    "outside-range": ({"heart.dates", "step.dates", "sleep.dates"}, set()),
    "unsorted": ({"heart.dates", "step.dates", "sleep.dates"}, set()),
    "duplicates": ({"heart.dates", "step.dates", "sleep.dates"}, set()),
    # authorization
    "accepts-any-token": (
        {"authorization.wrong-token"},
        {"authorization.token-start-changed", "authorization.token-end-changed"},
    ),
    "ignores-client-id": ({"authorization.no-client-id", "authorization.wrong-client-id"}, set()),
    "ignores-expiry": ({"authorization.expired-token"}, set()),
    # crashes
    "crash-on-string": ({"server-error"}, set()),
    # bad input and valid input
    "accepts-garbage": ({"invalid-input-refused"}, {"heart.dates", "step.dates", "sleep.dates"}),
    "refuses-valid-range": ({"valid-request-succeeds"}, set()),
    # content type
    "text-plain": ({"response.content-type"}, set()),
    # days near today and at the range's ends, in the user's zone (inferred)
    "drops-first-day": ({"consistency.presence"}, set()),
    "day-after-range": ({"heart.dates", "step.dates", "sleep.dates"}, set()),
    "answers-reversed-range": ({"heart.dates", "step.dates", "sleep.dates"}, set()),
    # daily-level data: the same day has the same values in every range
    "range-dependent-values": ({"consistency.values"}, set()),
    # the page's literals
    "wrong-success-msg": ({"envelope.vendor-msg"}, set()),
    "wrong-expired-msg": ({"envelope.vendor-msg"}, set()),
    "null-list": ({"response-schema:data.list"}, {"step.countStep-is-sum-of-y"}),
    "fractional-average": ({"response-schema:data.average"}, set()),
    # authorization probes
    "accepts-token-end-changed": ({"authorization.token-end-changed"}, set()),
}
_MESSAGES = {
    "includes-today": "current day",
    "outside-range": "before the asked range",
    "unsorted": "dates must ascend",
    "duplicates": "appears twice",
}


def test_the_mock_passes(live_mock: LiveMock) -> None:
    mock = mock_context(live_mock.app)
    now = mock.clock.now()
    expired, record = mint("cudis-wellness", "typical", ("daily",), now - 100, 1)
    mock.store.add_token(record)
    report = run_suite(
        SuiteOptions(
            base_url=live_mock.base_url,
            client_id="cudis-wellness",
            token=live_mock.mint(user_id="typical"),
            expired_token=expired,
            max_examples=10,
            seed=1,
        )
    )
    assert report.failures == [] and report.warnings == []
    assert report.exit_code(strict=True) == 0
    assert mock.violations == []


def test_the_reference_implementation_passes_even_strictly(reference_url: str) -> None:
    report = judge(reference_url, max_examples=8)
    assert report.findings.all() == []
    assert report.exit_code(strict=True) == 0


def test_mapped_http_statuses_pass(serve_reference: Serve) -> None:
    with serve_reference(Behaviour(error_status="mapped")) as base_url:
        report = judge(base_url)
    assert report.findings.all() == []


def test_other_bad_input_codes_are_warnings_that_fail_only_strictly(serve_reference: Serve) -> None:
    with serve_reference(Behaviour(bad_input_code=10001, error_status="mapped")) as base_url:
        report = judge(base_url)
    assert report.failures == []
    assert {w.rule for w in report.warnings} == {"bad-input-codes"}
    assert all(w.severity is Severity.WARNING and w.assumption == "bad-input-codes" for w in report.warnings)
    assert (report.exit_code(strict=False), report.exit_code(strict=True)) == (0, 1)


@pytest.mark.parametrize("defect", list(BROKEN))
def test_each_broken_implementation_fails_naming_the_rule(serve_reference: Serve, defect: Defect) -> None:
    must, may = BROKEN[defect]
    with serve_reference(Behaviour(defect=defect)) as base_url:
        report = judge(base_url)
    broken = {f.rule for f in report.failures}
    assert must <= broken, f"{defect}: expected {must}, found {broken}"
    assert broken <= must | may, f"{defect}: more than its one defect reported: {broken - must - may}"
    assert report.exit_code() == 1
    finding = next(f for f in report.failures if f.rule in must)
    assert finding.curl.startswith(("curl ", "printf ")) and finding.says and finding.got
    if defect in _MESSAGES:
        assert any(_MESSAGES[defect] in f.got for f in report.failures)


def test_each_rule_is_reported_once_per_operation(serve_reference: Serve) -> None:
    with serve_reference(Behaviour(defect="wrong-count-step")) as base_url:
        report = judge(base_url, max_examples=5, operations=("queryStep",))
    [finding] = report.failures
    assert finding.operation == "GET /partner/v1/query/step"
    assert report.findings.count(finding) > 1
