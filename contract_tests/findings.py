"""What the suite found: the rules an exchange broke, then each broken rule once per operation with a curl."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    FAILURE = "failure"
    """The implementation breaks what the vendor's page states."""
    WARNING = "warning"
    """The implementation differs from an assumption of the spec; fails only with --strict."""


class Family(StrEnum):
    """What a check verifies; the report has one test case per operation and family, in this order."""

    SCHEMA = "schema"
    """The answer's shape: HTTP 200 or a 4xx, JSON, the envelope's JSON Schema."""
    ENVELOPE = "envelope"
    """`{code, msg, data}` on every answer; an error has a message and `data: null`."""
    SPEC_RULES = "spec-rules"
    """A valid query succeeds, and its data keep the spec's `x-cudis-rules`."""
    AUTHORIZATION = "authorization"
    """Bad credentials get the session-expired envelope."""
    BAD_INPUT = "bad-input"
    """Every request is answered without a crash, and bad input is refused."""
    PROTOCOL = "protocol"
    """The HTTP status of error envelopes, and other methods."""
    CONSISTENCY = "consistency"
    """Answers to different ranges agree on the days they share (compared once the run is over)."""


@dataclass(frozen=True)
class Break:
    """A rule one exchange broke, as a check reports it."""

    rule: str
    severity: Severity
    says: str
    """What the contract says."""
    got: str
    """What came back."""
    assumption: str | None = None
    """The id of the spec's assumption a warning is about."""


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
    family: Family
    """The family of the check that found it."""
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
