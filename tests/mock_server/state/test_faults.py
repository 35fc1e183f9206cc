"""The fault core: matching, counting, seeded choices, the header syntax. No HTTP."""

from __future__ import annotations

import pytest

from cudis_spec import load_spec
from mock_server.state.faults import Fault, FaultError, build, envelope_code, header_bodies, step

CODES = load_spec().codes
STEP = ("queryStep", "/partner/v1/query/step")
HEART = ("queryHeartBeat", "/partner/v1/query/heart_beat")


def test_a_fault_for_the_next_two_requests_fires_twice_then_disappears() -> None:
    faults = [build("f1", {"kind": "status", "status": 503, "times": 2}, CODES)]
    answers = []
    for _ in range(3):
        faults, effect = step(faults, *HEART)
        answers.append(effect.fault.status if effect.fault else None)
    assert answers == [503, 503, None]
    assert faults == []


def test_an_endpoint_fault_leaves_other_endpoints_alone() -> None:
    by_path = build("f1", {"kind": "code", "code": 50100, "endpoint": STEP[1]}, CODES)
    by_operation = build("f2", {"kind": "code", "code": 50100, "endpoint": STEP[0]}, CODES)
    for fault in (by_path, by_operation):
        assert step([fault], *HEART)[1].fault is None
        assert step([fault], *STEP)[1].fault is not None


def test_a_percentage_picks_the_same_requests_for_the_same_seed() -> None:
    def picks(seed: int) -> list[bool]:
        faults = [build("f1", {"kind": "drop", "percent": 30, "seed": seed}, CODES)]
        fired = []
        for _ in range(200):
            faults, effect = step(faults, *HEART)
            fired.append(effect.fault is not None)
        return fired

    assert picks(7) == picks(7)
    assert picks(7) != picks(8)
    assert 40 <= sum(picks(7)) <= 80  # about 30 % of 200


def test_latencies_add_up_and_let_the_first_other_fault_decide() -> None:
    faults = [
        build("f1", {"kind": "latency", "ms": 100}, CODES),
        build("f2", {"kind": "latency", "min_ms": 10, "max_ms": 20, "seed": 3}, CODES),
        build("f3", {"kind": "rate_limit", "retry_after": 2}, CODES),
        build("f4", {"kind": "malformed", "times": 1}, CODES),
    ]
    kept, effect = step(faults, *HEART)
    assert 0.110 <= effect.delay <= 0.120
    assert effect.fault is not None and effect.fault.id == "f3"
    assert [f.id for f in kept] == ["f1", "f2", "f3", "f4"]  # f4 matched but did not fire, so it stays
    assert [(f.hits, f.fired) for f in kept] == [(1, 1), (1, 1), (1, 1), (1, 0)]


def test_a_header_decision_wins_over_stored_faults_but_latency_still_applies() -> None:
    faults = [build("f1", {"kind": "latency", "ms": 50}, CODES), build("f2", {"kind": "drop", "times": 1}, CODES)]
    kept, effect = step(faults, *HEART, decided=True)
    assert effect.delay == pytest.approx(0.05) and effect.fault is None
    assert kept[1].times == 1


@pytest.mark.parametrize(
    ("header", "bodies"),
    [
        ("latency=300", [{"kind": "latency", "ms": 300}]),
        (
            "latency=100-800, status=503",
            [{"kind": "latency", "min_ms": 100, "max_ms": 800}, {"kind": "status", "status": 503}],
        ),
        ("rate_limit", [{"kind": "rate_limit"}]),
        ("rate_limit=5", [{"kind": "rate_limit", "retry_after": 5}]),
        ("code=20007", [{"kind": "code", "code": 20007}]),
        ("malformed", [{"kind": "malformed"}]),
        ("drop", [{"kind": "drop"}]),
    ],
)
def test_the_header_syntax(header: str, bodies: list[dict[str, object]]) -> None:
    assert header_bodies(header) == bodies


@pytest.mark.parametrize(
    ("header", "says"),
    [("explode", "unknown fault 'explode'"), ("status=abc", "needs a whole number"), ("drop=3", "takes no value")],
)
def test_a_bad_header_says_what_to_send(header: str, says: str) -> None:
    with pytest.raises(FaultError, match=says):
        header_bodies(header)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"kind": "status"}, "is required for a status fault"),
        ({"kind": "latency"}, "is required"),
        ({"kind": "latency", "ms": 1, "min_ms": 1}, "not both"),
        ({"kind": "latency", "min_ms": 9, "max_ms": 1}, "must not be above max_ms"),
        ({"kind": "code", "code": 12345}, "must be an error code"),
        ({"kind": "code", "code": 200}, "must be an error code"),
        ({"kind": "drop", "status": 503}, "is not a parameter of a drop fault"),
    ],
)
def test_a_fault_that_does_not_fit_its_kind_is_refused(body: dict[str, object], says: str) -> None:
    with pytest.raises(FaultError, match=says):
        build("f1", body, CODES)


def test_envelope_codes_of_faults() -> None:
    assert envelope_code(Fault("f", "status", status=503), CODES) == 50300
    assert envelope_code(Fault("f", "status", status=502), CODES) == 50000
    assert envelope_code(Fault("f", "rate_limit", retry_after=1), CODES) == 42900
    assert envelope_code(Fault("f", "code", code=20007), CODES) == 20007
