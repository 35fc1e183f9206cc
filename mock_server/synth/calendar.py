"""Which local dates a query range covers (see the `date-time-zone` assumption)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_date(instant: float, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(instant, tz).date()


def local_midnight(day: date, tz: ZoneInfo) -> float:
    return datetime.combine(day, time(0), tzinfo=tz).timestamp()


def date_span(start: float, end: float, tz: ZoneInfo, today: date) -> tuple[date, int]:
    """The first local date whose [00:00, 24:00) overlaps [start, end), and how many follow, before `today`."""
    if end <= start:
        return today, 0
    first = local_date(start, tz)
    last = local_date(end, tz)
    if local_midnight(last, tz) >= end:
        last -= timedelta(days=1)
    last = min(last, today - timedelta(days=1))
    return first, max(0, (last - first).days + 1)


def days_in_range(start: float, end: float, tz: ZoneInfo, today: date) -> list[date]:
    """Local dates whose [00:00, 24:00) overlaps [start, end), before `today`."""
    first, count = date_span(start, end, tz, today)
    return [first + timedelta(days=offset) for offset in range(count)]
