"""The zone, the pinned days and the persona fitted to recorded answers."""

from __future__ import annotations

from cudis_proxy.fitting import Recorded, consistent_offsets, fit, zone_name

DAY = 86400
MIDNIGHT = 1726444800  # 2024-09-16 00:00 UTC
NOW = MIDNIGHT + 30 * DAY


def _steps(dates: list[str], start: float, end: float) -> Recorded:
    items = [{"date": d, "y": 1000.0 + i} for i, d in enumerate(dates)]
    return Recorded("step", start, end, {"countStep": 0, "list": items}, NOW)


def test_dates_that_start_a_day_early_put_the_user_west_of_utc() -> None:
    # A range of UTC midnights listing the day before its first: the user's local dates lag UTC.
    recorded = [_steps(["2024-09-15", "2024-09-16", "2024-09-17"], MIDNIGHT, MIDNIGHT + 3 * DAY)]
    assert consistent_offsets(recorded) == list(range(-12, 0))
    assert fit(recorded).timezone.startswith("Etc/GMT+")


def test_the_day_that_begins_at_end_time_fits_utc_by_the_rule_but_east_of_utc_is_preferred() -> None:
    # 09-18 begins at endTime in UTC: the spec's rule allows it (endTime may belong to the range), but an
    # upstream east of UTC lists it in the half-open reading most servers use.
    recorded = [_steps(["2024-09-16", "2024-09-17", "2024-09-18"], MIDNIGHT, MIDNIGHT + 2 * DAY)]
    assert consistent_offsets(recorded) == list(range(0, 15))
    assert fit(recorded).timezone.startswith("Etc/GMT-")


def test_utc_is_kept_when_it_fits_and_zone_names_use_posix_signs() -> None:
    recorded = [_steps(["2024-09-16", "2024-09-17"], MIDNIGHT, MIDNIGHT + 2 * DAY)]
    assert 0 in consistent_offsets(recorded) and fit(recorded).timezone == "UTC"
    assert (zone_name(14), zone_name(-12), zone_name(0)) == ("Etc/GMT-14", "Etc/GMT+12", "UTC")


def test_recorded_days_are_pinned_and_absent_ones_marked_missing() -> None:
    fitted = fit([_steps(["2024-09-16", "2024-09-18"], MIDNIGHT, MIDNIGHT + 3 * DAY)])
    assert fitted.pinned == {
        "2024-09-16": {"step": {"y": 1000}},
        "2024-09-17": {"missing": ["step"]},
        "2024-09-18": {"step": {"y": 1001}},
    }
    assert fitted.persona["steps"]["median"] == 1000.5
    assert fitted.persona["wear"] == {"day": round(2 / 3, 3)}


def test_a_value_no_fixture_can_hold_is_reported_not_pinned() -> None:
    recorded = Recorded("step", MIDNIGHT, MIDNIGHT + DAY, {"list": [{"date": "2024-09-16", "y": 12.5}]}, NOW)
    fitted = fit([recorded])
    assert fitted.pinned == {}  # the day stays the persona's, neither pinned nor missing
    assert fitted.problems and "not pinned" in fitted.problems[0]
