"""The response-rule evaluator on answers a user could get: each broken rule named, a correct answer passes."""

from __future__ import annotations

from typing import Any

from cudis_spec import RangeContext, check_data, load_spec

SPEC = load_spec()
HEART = SPEC.data_rules("queryHeartBeat")
SLEEP = SPEC.data_rules("querySleep")
STEP = SPEC.data_rules("queryStep")
DAY = 86400
SEPT_16 = 1726444800  # 2024-09-16 00:00 UTC


def _heart(**changes: Any) -> dict[str, Any]:
    data = {
        "maximum": 80,
        "minimum": 60,
        "average": 73,
        "list": [
            {"date": "2024-09-16", "maxY": 80.0, "minY": 70.0},
            {"date": "2024-09-17", "maxY": 80.0, "minY": 60.0},
        ],
    }
    return {**data, **changes}


def _ids(rules: list[dict[str, Any]], data: Any, context: RangeContext | None = None) -> list[str]:
    return [v.rule_id for v in check_data(rules, data, context or RangeContext())]


def test_a_correct_answer_breaks_nothing() -> None:
    assert _ids(HEART, _heart(), RangeContext(SEPT_16, SEPT_16 + 2 * DAY, SEPT_16 + 10 * DAY)) == []


def test_an_aggregate_that_disagrees_with_the_list_is_named() -> None:
    violations = check_data(HEART, _heart(maximum=95))
    assert [v.rule_id for v in violations] == ["heart.maximum-is-max-of-maxY"]
    assert violations[0].source == "vendor" and "95" in violations[0].message


def test_dates_out_of_order_twice_or_outside_the_range_are_named() -> None:
    twice = _heart(list=[{"date": "2024-09-16", "maxY": 80.0, "minY": 60.0}] * 2)
    assert _ids(HEART, twice) == ["heart.dates"]
    later = RangeContext(start=SEPT_16 + 5 * DAY, end=SEPT_16 + 7 * DAY)
    assert _ids(HEART, _heart(), later) == ["heart.dates"]


def test_the_current_day_is_refused() -> None:
    today = RangeContext(now=SEPT_16 + 12 * 3600)  # noon on the 16th, UTC
    assert _ids(HEART, _heart(), today) == ["heart.dates"]


def test_sleep_ratios_must_add_up_to_100() -> None:
    night = {"date": "2024-09-16", "deepY": 50, "shallowY": 400, "awakeY": 50}
    data = {"deepRatio": 10, "shallowRatio": 80, "awakeRatio": 5, "sumDuration": 500, "list": [night]}
    assert "sleep.ratios-sum-to-100" in _ids(SLEEP, data)
    assert _ids(SLEEP, {**data, "awakeRatio": 10}) == []


def test_an_empty_heart_answer_with_aggregates_breaks_an_assumption_not_the_page() -> None:
    violations = check_data(HEART, _heart(maximum=5, minimum=5, average=5, list=[]))
    assert [(v.rule_id, v.source) for v in violations] == [("heart.empty-aggregates-zero", "assumption")]


def test_an_empty_step_answer_still_sums_its_list() -> None:
    assert _ids(STEP, {"countStep": 5, "list": []}) == ["step.countStep-is-sum-of-y", "step.empty-aggregates-zero"]


def test_an_answered_range_beyond_what_a_datetime_holds_is_judged_not_a_crash() -> None:
    # A server that answers a garbage range (year 58871) with days: those days are before it.
    far = RangeContext(start=1_795_680_000_000.0, end=1_795_680_086_400.0)
    dates = [v for v in check_data(HEART, _heart(), far) if v.rule_id.endswith("dates")]
    assert len(dates) == 1 and "before the asked range" in dates[0].message
