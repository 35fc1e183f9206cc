"""The protocol family: the HTTP status of error envelopes, and other methods; only ever warnings."""

from __future__ import annotations

from contract_tests.findings import Family, Severity

from .answers import OK, VALID, answer, body, judged, query, rules


def test_error_statuses_the_catalogue_maps_pass_and_others_warn() -> None:
    bad = body({"startTime": "x", "endTime": 1})
    error = {"code": 40001, "msg": "Invalid startTime", "data": None}
    assert rules(bad, answer(400, error)) == {}
    assert rules(bad, answer(422, error)) == {"error-http-status": Severity.WARNING}


def test_another_method_gets_405_or_a_warning() -> None:
    sent = query(VALID)
    assert judged(answer(405, b"<h1>Method Not Allowed</h1>", "text/html", method="POST"), sent) == []
    [(family, broke)] = judged(answer(200, OK, method="POST"), sent)
    assert (family, broke.rule, broke.severity) == (Family.PROTOCOL, "other-methods-405", Severity.WARNING)
    assert broke.assumption == "error-http-status" and broke.says == "POST on a query path gets HTTP 405"


def test_head_is_the_get_without_its_content_not_another_method() -> None:
    sent = query(VALID)
    assert judged(answer(200, b"", method="HEAD"), sent) == []
    assert judged(answer(405, b"", method="HEAD"), sent) == []
