"""The engine: every registered check on one exchange, outside in, each break filed under its check's family."""

from __future__ import annotations

from contract_tests.checks import registered
from contract_tests.findings import Family, Severity

from .checks.answers import OK, VALID, answer, body, judged, query, rules


def test_a_correct_answer_breaks_nothing() -> None:
    assert rules(VALID, answer(200, OK)) == {}


def test_an_answer_broken_in_several_layers_is_reported_outside_in() -> None:
    broken = answer(302, {"code": 40001, "msg": "", "data": {}}, "text/plain")
    found = [(family, b.rule, b.severity) for family, b in judged(broken, query(body({"startTime": "x"})))]
    assert found == [
        (Family.SCHEMA, "response-status", Severity.FAILURE),
        (Family.SCHEMA, "response.content-type", Severity.FAILURE),
        (Family.ENVELOPE, "envelope.error-data-null", Severity.FAILURE),
        (Family.ENVELOPE, "envelope.error-msg", Severity.FAILURE),
        (Family.PROTOCOL, "error-http-status", Severity.WARNING),
    ]


def test_every_family_has_checks_named_for_what_they_verify() -> None:
    checks = registered()
    # consistency compares answers once a run is over (the runner's `days.Ledger`), not one exchange
    assert {c.family for c in checks} == set(Family) - {Family.CONSISTENCY}
    assert all(c.function.__doc__ and c.name == c.function.__name__ for c in checks)
