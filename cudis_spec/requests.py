"""What a valid query range is: its fields, timestamp bounds, and `x-cudis-request-rules` (ordering, longest span)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SECONDS_PER_DAY = 86400


def number(value: Any) -> float | None:
    """`value` as a float when it is a JSON number (not a boolean), else None."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class RequestRule:
    """One of `x-cudis-request-rules`: a rule over two fields of the range."""

    id: str
    kind: str
    """`ordered` (first <= second) or `max-span-days` (second - first <= value days)."""
    fields: tuple[str, str]
    code: int
    """The envelope code a request breaking it gets."""
    message: str
    value: float | None = None
    assumption: str | None = None
    """The assumption behind the rule (an `x-cudis-assumptions` id)."""

    def broken_by(self, values: Mapping[str, Any]) -> bool:
        """Whether a range with these field values breaks the rule (False when a field is not a number)."""
        start, end = (number(values.get(name)) for name in self.fields)
        if start is None or end is None:
            return False
        if self.kind == "ordered":
            return start > end
        if self.kind == "max-span-days":
            return end - start > self.span_seconds
        raise ValueError(f"request rule {self.id}: unknown kind {self.kind!r}")

    @property
    def span_seconds(self) -> float:
        return float(self.value or 0) * SECONDS_PER_DAY

    @classmethod
    def from_spec(cls, entry: Mapping[str, Any]) -> RequestRule:
        first, second = entry["fields"]
        return cls(
            id=str(entry["id"]),
            kind=str(entry["kind"]),
            fields=(str(first), str(second)),
            code=int(entry["code"]),
            message=str(entry["message"]),
            value=entry.get("value"),
            assumption=entry.get("assumption"),
        )


@dataclass(frozen=True)
class RangeContract:
    """The query range as the spec defines it (`QueryRange`, `UnixSeconds`)."""

    body_pointer: str
    """JSON pointer of the range's schema."""
    fields: tuple[str, ...]
    """The required fields, in the spec's order (startTime, endTime)."""
    minimum: int
    maximum: int
    """Bounds of a timestamp (`UnixSeconds`)."""
    messages: Mapping[str, str]
    """What to tell a client that breaks a timestamp's keyword (`x-cudis-messages`)."""
    rules: tuple[RequestRule, ...]

    @property
    def longest_days(self) -> int | None:
        """The longest range served, in days (None when no rule limits it)."""
        spans = [int(rule.value or 0) for rule in self.rules if rule.kind == "max-span-days"]
        return min(spans) if spans else None

    @property
    def longest_seconds(self) -> int | None:
        days = self.longest_days
        return None if days is None else days * SECONDS_PER_DAY

    def broken_rules(self, values: Mapping[str, Any]) -> list[RequestRule]:
        """The request rules a range breaks, in the spec's order."""
        return [rule for rule in self.rules if rule.broken_by(values)]
