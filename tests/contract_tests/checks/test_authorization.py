"""The authorization family: bad credentials with a valid range get the session-expired envelope."""

from __future__ import annotations

import pytest

from contract_tests.cases import AuthProbe
from contract_tests.findings import Family, Severity

from .answers import EXPIRED, OK, answer, judged, probe


def test_accepting_a_wrong_token_is_a_failure_and_another_code_without_token_a_warning() -> None:
    accepted = [b for _, b in judged(answer(200, OK), probe(AuthProbe.WRONG_TOKEN))]
    assert [(b.rule, b.severity) for b in accepted] == [("authorization.wrong-token", Severity.FAILURE)]
    other = {"code": 401, "msg": "no token", "data": None}
    missing = [b for _, b in judged(answer(401, other), probe(AuthProbe.NO_TOKEN))]
    assert [(b.rule, b.severity) for b in missing] == [("authorization.no-token", Severity.WARNING)]


@pytest.mark.parametrize("kind", list(AuthProbe))
def test_the_session_expired_envelope_passes_each_probe(kind: AuthProbe) -> None:
    assert judged(answer(200, EXPIRED), probe(kind)) == []
    assert judged(answer(401, EXPIRED), probe(kind)) == []


@pytest.mark.parametrize("kind", [k for k in AuthProbe if k is not AuthProbe.NO_TOKEN])
def test_another_refusal_than_session_expired_fails_where_the_page_names_the_case(kind: AuthProbe) -> None:
    forbidden = {"code": 40300, "msg": "forbidden", "data": None}
    [(family, broke)] = judged(answer(200, forbidden), probe(kind))
    assert (family, broke.rule, broke.severity) == (
        Family.AUTHORIZATION,
        f"authorization.{kind.value}",
        Severity.FAILURE,
    )
    assert broke.says.endswith("(code 20007)") and broke.got == "code 40300: 'forbidden'"


def test_an_expired_token_accepted_is_a_failure() -> None:
    [(_, broke)] = judged(answer(200, OK), probe(AuthProbe.EXPIRED_TOKEN))
    assert broke.rule == "authorization.expired-token" and broke.severity is Severity.FAILURE
    assert broke.says.endswith(", not answered")
