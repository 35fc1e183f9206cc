"""The response-rule vocabulary (`x-cudis-rule-kinds`) and its evaluator over a response's `data`.

Pure; the contract suite and the mock's self-check both judge answers with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

from .requests import number as _number

_SLACK_DEFAULT_HOURS = 14


@dataclass(frozen=True)
class RuleViolation:
    rule_id: str
    source: str
    """`vendor` (the page states it) or `assumption` (the mock's choice)."""
    message: str

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.message}"


@dataclass(frozen=True)
class RangeContext:
    """What the asked range and the server's clock allow; None where unknown."""

    start: float | None = None
    end: float | None = None
    now: float | None = None
    offsets: tuple[int, ...] | None = None
    """The user's UTC offsets (seconds) the dates may be in, the one at `now` first; None: unknown, judged with the
    rule's slack."""
    offsets_since: float | None = None
    """Dates before this instant are judged with the slack even when `offsets` are known: a zone's offset may have
    been another in the past (Kiritimati was UTC-10 until 1995)."""


def _items(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = data.get("list")
    return [item for item in items if isinstance(item, Mapping)] if isinstance(items, list) else []


def _item_value(item: Mapping[str, Any], over: str | Sequence[str]) -> float | None:
    names = [over] if isinstance(over, str) else list(over)
    values = [_number(item.get(name)) for name in names]
    if any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def _applies(rule: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    when = rule.get("when")
    items = _items(data)
    if when == "nonempty":
        return bool(items)
    if when == "positive-total":
        over = rule.get("over") or list(rule.get("targets", {}).values())
        total = sum(_item_value(item, over) or 0.0 for item in items)
        return total > 0
    return True


def _aggregate(rule: Mapping[str, Any], data: Mapping[str, Any]) -> str | None:
    target = _number(data.get(rule["target"]))
    values = [_item_value(item, rule["over"]) for item in _items(data)]
    if target is None or any(v is None for v in values):
        return None  # the schema check reports missing or mistyped fields
    numbers = [v for v in values if v is not None]
    fn = rule["fn"]
    if fn == "sum":
        expected = sum(numbers)
    elif not numbers:
        return None
    elif fn == "max":
        expected = max(numbers)
    elif fn == "min":
        expected = min(numbers)
    else:
        expected = sum(numbers) / len(numbers)
    tolerance = float(rule.get("tolerance", 0))
    ok = abs(target - expected) < tolerance if tolerance else target == expected
    if ok:
        return None
    over = rule["over"] if isinstance(rule["over"], str) else "+".join(rule["over"])
    return f"{rule['target']} is {target:g} but the {fn} of list[].{over} is {expected:g}"


def _ordered(rule: Mapping[str, Any], data: Mapping[str, Any]) -> str | None:
    values = [(name, _number(data.get(name))) for name in rule["fields"]]
    if any(v is None for _, v in values):
        return None
    for (a, va), (b, vb) in pairwise(values):
        if va is not None and vb is not None and va > vb:
            return f"{a} ({va:g}) is greater than {b} ({vb:g})"
    return None


def _item_ordered(rule: Mapping[str, Any], data: Mapping[str, Any]) -> str | None:
    first, second = rule["fields"]
    for index, item in enumerate(_items(data)):
        a, b = _number(item.get(first)), _number(item.get(second))
        if a is not None and b is not None and a > b:
            return f"list[{index}] ({item.get('date')}): {first} {a:g} is greater than {second} {b:g}"
    return None


def _sum_equals(rule: Mapping[str, Any], data: Mapping[str, Any]) -> str | None:
    values = [_number(data.get(name)) for name in rule["fields"]]
    if any(v is None for v in values):
        return None
    total = sum(v for v in values if v is not None)
    if total != rule["value"]:
        return f"{' + '.join(rule['fields'])} is {total:g}, not {rule['value']}"
    return None


def _shares(rule: Mapping[str, Any], data: Mapping[str, Any]) -> str | None:
    targets: Mapping[str, str] = rule["targets"]
    sums = {name: sum(_number(item.get(field)) or 0.0 for item in _items(data)) for name, field in targets.items()}
    total = sum(sums.values())
    if total <= 0:
        return None
    for name, part in sums.items():
        value = _number(data.get(name))
        share = 100.0 * part / total
        if value is not None and abs(value - share) >= rule.get("tolerance", 1):
            return f"{name} is {value:g} but list[].{targets[name]} is {share:.1f} % of the total"
    return None


def _empty_aggregates(rule: Mapping[str, Any], data: Mapping[str, Any]) -> str | None:
    if _items(data) or not isinstance(data.get("list"), list):
        return None
    for name in rule["fields"]:
        if name in data and data[name] != rule["value"]:
            return f"with an empty list, {name} is {data[name]!r}, not {rule['value']}"
    return None


def _utc_date(instant: float) -> date:
    return datetime.fromtimestamp(instant, UTC).date()


def _dates(rule: Mapping[str, Any], data: Mapping[str, Any], context: RangeContext) -> str | None:
    field = rule["field"]
    slack = timedelta(hours=rule.get("slack_hours", _SLACK_DEFAULT_HOURS))
    seen: list[date] = []
    for index, item in enumerate(_items(data)):
        text = item.get(field)
        try:
            day = date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
        except ValueError:
            day = None
        if day is None:
            return f"list[{index}].{field} {text!r} is not a YYYY-MM-DD date"
        if rule.get("unique") and day in seen:
            return f"list[{index}].{field} {text} appears twice"
        if rule.get("ascending") and seen and day < seen[-1]:
            return f"list[{index}].{field} {text} comes after {seen[-1]} (dates must ascend)"
        seen.append(day)
    if context.offsets is not None:
        since = context.offsets_since
        recent = [d for d in seen if since is None or local_midnight(d, 0) >= since]
        problem = _dates_in_any_zone(field, recent, context, context.offsets)
        if problem is not None:
            return problem
    for index, day in enumerate(seen):
        if context.offsets is not None and (
            context.offsets_since is None or local_midnight(day, 0) >= context.offsets_since
        ):
            continue
        text = day.isoformat()
        # In seconds, not datetimes: an answered bad range may lie beyond what a datetime holds (year 9999).
        midnight, slack_seconds = local_midnight(day, 0), slack.total_seconds()
        if context.start is not None and midnight + 86400 + slack_seconds <= context.start:
            return f"list[{index}].{field} {text} is before the asked range (startTime {context.start:.0f})"
        if context.end is not None and midnight - slack_seconds >= context.end:
            return f"list[{index}].{field} {text} is after the asked range (endTime {context.end:.0f})"
        if context.now is not None and day >= _utc_date(context.now + slack.total_seconds()):
            return f"list[{index}].{field} {text} is the current day or later, which the page excludes"
    return None


def local_midnight(day: date, offset: int) -> float:
    """The instant `day` begins for a user at UTC offset `offset` (seconds)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() - offset


def local_date(instant: float, offset: int) -> date:
    """The date of `instant` for a user at UTC offset `offset` (seconds)."""
    return datetime.fromtimestamp(instant + offset, UTC).date()


def zone_name(offset: int) -> str:
    """`UTC+05:45` for 20700."""
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def dates_out_of_range(field: str, days: list[date], context: RangeContext, offset: int) -> str | None:
    """Why these dates cannot be the asked range's for a user at `offset`: overlapping it, before the current day.

    The page does not say whether the `endTime` instant belongs to the range, so the day that
    begins exactly at `endTime` may be listed.
    """
    today = local_date(context.now, offset) if context.now is not None else None
    for index, day in enumerate(days):
        begins = local_midnight(day, offset)
        text = f"list[{index}].{field} {day.isoformat()}"
        if context.start is not None and begins + 86400 <= context.start:
            return f"{text} is before the asked range (startTime {context.start:.0f}, in {zone_name(offset)})"
        if context.end is not None and begins > context.end:
            return f"{text} is after the asked range (endTime {context.end:.0f}, in {zone_name(offset)})"
        if today is not None and day >= today:
            return f"{text} is the current day or later in {zone_name(offset)}, which the page excludes"
    return None


def _dates_in_any_zone(field: str, days: list[date], context: RangeContext, offsets: tuple[int, ...]) -> str | None:
    """None when the dates are the asked range's for one of `offsets`; else why not, for the first offset."""
    problems = [dates_out_of_range(field, days, context, offset) for offset in offsets]
    if any(problem is None for problem in problems) or not problems:
        return None
    if len(offsets) == 1:
        return problems[0]
    span = f"{zone_name(min(offsets))} to {zone_name(max(offsets))}"
    return f"in no time zone from {span} are these the asked range's days: e.g. {problems[-1]}"


def check_data(
    rules: Iterable[Mapping[str, Any]], data: Any, context: RangeContext = RangeContext()
) -> list[RuleViolation]:
    """Every rule of `rules` that `data` breaks."""
    if not isinstance(data, Mapping):
        return []
    violations = []
    for rule in rules:
        if not _applies(rule, data):
            continue
        kind = rule["kind"]
        problem = _dates(rule, data, context) if kind == "dates" else _CHECKERS[kind](rule, data)
        if problem:
            violations.append(RuleViolation(rule["id"], rule.get("source", "vendor"), problem))
    return violations


_CHECKERS = {
    "aggregate": _aggregate,
    "ordered": _ordered,
    "item-ordered": _item_ordered,
    "sum-equals": _sum_equals,
    "shares": _shares,
    "empty-aggregates": _empty_aggregates,
}
