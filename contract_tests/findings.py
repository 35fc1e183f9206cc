"""What the suite found: each broken rule once, with what the contract says, what came back, and a curl."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    FAILURE = "failure"
    """The implementation breaks what the vendor's page states."""
    WARNING = "warning"
    """The implementation differs from an assumption of the spec; fails only with --strict."""


@dataclass(frozen=True)
class Finding:
    """One broken rule on one operation."""

    rule: str
    """The rule's id: a spec rule (`heart.dates`), or one of the suite's (`authorization.wrong-token`)."""
    operation: str
    """`GET /partner/v1/query/heart_beat`."""
    severity: Severity
    says: str
    """What the contract says."""
    got: str
    """What came back."""
    curl: str
    """A command that reproduces it."""
    assumption: str | None = None
    """The id of the spec's assumption a warning is about, when it is one of `info.x-cudis-assumptions`."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.operation, self.rule)


@dataclass
class Findings:
    """Findings collected during a run, each (operation, rule) kept once: the first seen, with a count."""

    _first: dict[tuple[str, str], Finding] = field(default_factory=dict)
    _count: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        key = finding.key
        if key not in self._first:
            self._first[key] = finding
        self._count[key] = self._count.get(key, 0) + 1

    def extend(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.add(finding)

    def all(self) -> list[Finding]:
        return list(self._first.values())

    def count(self, finding: Finding) -> int:
        return self._count.get(finding.key, 0)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self._first.values() if f.severity is Severity.FAILURE]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self._first.values() if f.severity is Severity.WARNING]
