"""The day boundary learnt from answers, and the comparison of answers across ranges (pure: a fake server)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contract_tests.days import OFFSETS, Answer, DayBoundary, Ledger, infer_boundary, infer_offset, parse_offset
from cudis_spec.rules import local_date, local_midnight

NOW = 1795521600.0  # 2026-11-24 12:00 UTC


def server(offset: int, *, missing: frozenset[date] = frozenset(), drop_first: bool = False, inclusive: bool = False):  # type: ignore[no-untyped-def]
    """A fake implementation's dates for a range: the user's days at `offset` overlapping it, before today."""
    calls: list[tuple[float, float]] = []

    def ask(start: float, end: float) -> list[date]:
        calls.append((start, end))
        today = local_date(NOW, offset)
        day, days = local_date(start, offset), []
        while day < today and (local_midnight(day, offset) < end or (inclusive and local_midnight(day, offset) == end)):
            if day not in missing:
                days.append(day)
            day += timedelta(days=1)
        return days[1:] if drop_first else days

    ask.calls = calls  # type: ignore[attr-defined]
    return ask


@pytest.mark.parametrize("offset", [-12 * 3600, -9 * 3600 - 1800, 0, 5 * 3600 + 2700, 14 * 3600])
def test_the_offset_is_found_exactly_in_a_few_requests(offset: int) -> None:
    ask = server(offset)
    assert infer_offset(ask, NOW) == offset
    assert len(ask.calls) <= 8  # a binary search over the 105 quarter hours


def test_missing_days_and_a_dropped_first_day_do_not_mislead() -> None:
    offset = 3 * 3600
    today = local_date(NOW, offset)
    missing = frozenset(today - timedelta(days=n) for n in (2, 3, 4))
    assert infer_offset(server(offset, missing=missing), NOW) == offset
    assert infer_offset(server(offset, drop_first=True), NOW) == offset


def test_no_data_infers_nothing_and_says_so() -> None:
    boundary = infer_boundary(lambda start, end: [], NOW)
    assert boundary.offsets is None
    assert "nothing could be inferred" in boundary.describe() and "slack" in boundary.describe()


@pytest.mark.parametrize("inclusive", [False, True])
def test_the_reading_of_end_time_is_reported(inclusive: bool) -> None:
    boundary = infer_boundary(server(-4 * 3600, inclusive=inclusive), NOW)
    assert boundary.offsets == (-4 * 3600,)
    assert boundary.end_reading == ("inclusive" if inclusive else "exclusive")
    assert "UTC-04:00" in boundary.describe()


def test_offsets_are_parsed_from_the_usual_spellings() -> None:
    assert [parse_offset(t) for t in ("+05:45", "-12", "UTC+14", "0")] == [20700, -43200, 50400, 0]
    assert OFFSETS[0] == -43200 and OFFSETS[-1] == 50400
    with pytest.raises(ValueError, match="outside"):
        parse_offset("+15")


def _answer(start: float, end: float, days: dict[date, int]) -> Answer:
    return Answer(start, end, NOW, {day: {"y": value} for day, value in days.items()}, "curl ...")


D = date(2026, 10, 1)
M = local_midnight(D, 0)


def test_a_date_with_other_values_in_another_range_is_found() -> None:
    ledger = Ledger([_answer(M, M + 2 * 86400, {D: 1, D + timedelta(days=1): 2}), _answer(M, M + 86400, {D: 9})])
    [found] = ledger.disagreements(DayBoundary((0,), "test"))
    assert found.rule == "consistency.values" and "2026-10-01" in found.got


def test_a_date_missing_from_a_range_that_surely_covers_it_is_found_but_not_the_end_day() -> None:
    full = _answer(M - 86400, M + 3 * 86400, {D - timedelta(days=1): 1, D: 2, D + timedelta(days=1): 3})
    dropped_first = _answer(M + 3600, M + 2 * 86400, {D + timedelta(days=1): 3})
    ends_at_midnight = _answer(M - 86400, M, {D - timedelta(days=1): 1})  # D begins at endTime: either reading
    empty_range = _answer(M + 5, M + 5, {})
    assert list(Ledger([full, ends_at_midnight, empty_range]).disagreements(DayBoundary((0,), "test"))) == []
    [found] = Ledger([full, dropped_first]).disagreements(DayBoundary((0,), "test"))
    assert found.rule == "consistency.presence" and "2026-10-01 is missing" in found.got
