"""The check registry: every check is a function of one signature, registered with its family by a decorator.

A check takes `(ctx, exchange, case)` (what it may consult, one request and its answer, and
what the suite meant by the request) and yields the rules the exchange broke, each a
`Break`. Preconditions shared by several checks are conditions of the same signature that
`@requires` puts in front of a check (see `conditions`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum

from cudis_spec import Spec

from ..cases import Case
from ..findings import Break, Family
from ..transport import Exchange


@dataclass(frozen=True)
class Context:
    """What a check may consult besides the exchange: the spec, and the server's now."""

    spec: Spec
    now: float
    offsets: tuple[int, ...] | None = None
    """The user's UTC offsets in seconds, the one at `now` first (see `days`); None: unknown, judged with slack."""
    offsets_since: float | None = None
    """Dates before this instant are judged with the slack (a zone's offset changes over the years)."""


CheckFunction = Callable[[Context, Exchange, Case], Iterable[Break]]
Condition = Callable[[Context, Exchange, Case], bool]


class Layer(IntEnum):
    """What of an answer a check reads. The engine runs an exchange's checks layer by layer, outside in,
    so the rules one answer breaks are reported in a fixed order: the status before the envelope,
    the envelope before its schema, the schema before what the answer means."""

    ANSWER = 1
    """Whether anything came back, and whether it was a crash."""
    HTTP = 2
    """The status line and the headers."""
    ENVELOPE = 3
    """The `{code, msg, data}` object, and the HTTP status its code implies."""
    SCHEMA = 4
    """The envelope against its JSON Schema."""
    MEANING = 5
    """What the answer says, given what was asked: success, a refusal, the data's rules."""


@dataclass(frozen=True)
class Check:
    """A registered check."""

    name: str
    family: Family
    layer: Layer
    function: CheckFunction


_CHECKS: list[Check] = []


def check(family: Family, layer: Layer) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under its family, to run at its layer."""

    def register(function: CheckFunction) -> CheckFunction:
        if any(known.name == function.__name__ for known in _CHECKS):
            raise ValueError(f"a check named {function.__name__} is registered already")
        _CHECKS.append(Check(function.__name__, family, layer, function))
        return function

    return register


def requires(*conditions: Condition) -> Callable[[CheckFunction], CheckFunction]:
    """Run a check only on the exchanges that meet every condition; on others it finds nothing."""

    def guard(function: CheckFunction) -> CheckFunction:
        @functools.wraps(function)
        def guarded(ctx: Context, exchange: Exchange, case: Case) -> Iterable[Break]:
            if all(condition(ctx, exchange, case) for condition in conditions):
                return function(ctx, exchange, case)
            return ()

        guarded.conditions = conditions  # type: ignore[attr-defined]
        return guarded

    return guard


def applies(registered_check: Check, ctx: Context, exchange: Exchange, case: Case) -> bool:
    """Whether the check judges this exchange (its `@requires` conditions hold), whatever it finds."""
    conditions: tuple[Condition, ...] = getattr(registered_check.function, "conditions", ())
    return all(condition(ctx, exchange, case) for condition in conditions)


_FAMILY_ORDER = {family: index for index, family in enumerate(Family)}


def registered() -> tuple[Check, ...]:
    """Every registered check in the order the engine runs them: by layer, then family, then as registered."""
    return tuple(sorted(_CHECKS, key=lambda c: (c.layer, _FAMILY_ORDER[c.family])))
