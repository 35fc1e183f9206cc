"""Injected faults: what they are, which requests they match, and when they fire. Pure.

A fault's decisions are a function of (seed, how many matching requests it has seen), so the
same fault picks the same requests in any worker and after any restart; the count lives in the
store and is moved forward atomically by `step`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from cudis_spec import CodeCatalogue

FaultKind = Literal["latency", "status", "rate_limit", "code", "malformed", "drop"]
KINDS: tuple[FaultKind, ...] = ("latency", "status", "rate_limit", "code", "malformed", "drop")
HEADER = "X-Cudis-Mock-Fault"


class FaultError(ValueError):
    """A fault that cannot be injected; the message says what to send instead."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Fault:
    id: str
    kind: FaultKind
    endpoint: str | None = None
    times: int | None = None
    """How many more times it fires; None for ever."""
    percent: float | None = None
    seed: int = 0
    ms: int | None = None
    min_ms: int | None = None
    max_ms: int | None = None
    status: int | None = None
    retry_after: int | None = None
    code: int | None = None
    hits: int = 0
    fired: int = 0

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        return cls(**data)

    def describe(self) -> str:
        """A short label for the journal, e.g. `status=503`."""
        value = {
            "latency": f"{self.min_ms}-{self.max_ms}" if self.ms is None else str(self.ms),
            "status": str(self.status),
            "rate_limit": str(self.retry_after),
            "code": str(self.code),
        }.get(self.kind)
        return f"{self.kind}={value}" if value is not None else self.kind


@dataclass(frozen=True)
class Effect:
    """What the mock does to one request: wait, then answer as `fault` says (None: normally)."""

    delay: float = 0.0
    fault: Fault | None = None
    labels: tuple[str, ...] = ()


def build(fault_id: str, body: Mapping[str, Any], codes: CodeCatalogue) -> Fault:
    """A fault from a schema-valid request body; FaultError for parameters that do not fit its kind."""
    kind: FaultKind = body["kind"]
    fields = {k: body[k] for k in ("endpoint", "times", "percent", "ms", "min_ms", "max_ms") if k in body}
    fault = Fault(id=fault_id, kind=kind, seed=int(body.get("seed", 0)), **fields)
    allowed = {
        "latency": {"ms", "min_ms", "max_ms"},
        "status": {"status"},
        "rate_limit": {"retry_after"},
        "code": {"code"},
        "malformed": set(),
        "drop": set(),
    }[kind]
    extra = sorted({"ms", "min_ms", "max_ms", "status", "retry_after", "code"} & set(body) - allowed)
    if extra:
        raise FaultError(extra[0], f"is not a parameter of a {kind} fault (its parameters: {_names(allowed)})")
    if kind == "latency":
        if "ms" in body and ({"min_ms", "max_ms"} & set(body)):
            raise FaultError("ms", "give either ms (a fixed delay) or min_ms and max_ms (a random one), not both")
        if "ms" not in body:
            if "min_ms" not in body or "max_ms" not in body:
                raise FaultError("ms", 'is required: {"kind": "latency", "ms": 300} or "min_ms" and "max_ms"')
            if body["min_ms"] > body["max_ms"]:
                raise FaultError("min_ms", f"must not be above max_ms ({body['min_ms']} > {body['max_ms']})")
    elif kind == "status":
        if "status" not in body:
            raise FaultError("status", 'is required for a status fault, e.g. {"kind": "status", "status": 503}')
        fault = replace(fault, status=int(body["status"]))
    elif kind == "rate_limit":
        fault = replace(fault, retry_after=int(body.get("retry_after", 1)))
    elif kind == "code":
        code = body.get("code")
        if code is None:
            example = f'{{"kind": "code", "code": {codes.session_expired.code}}}'
            raise FaultError("code", f"is required for a code fault, e.g. {example}")
        errors = [c for c in codes if c != codes.success.code]
        if code not in errors:
            known = ", ".join(str(c) for c in errors)
            raise FaultError("code", f"must be an error code of x-cudis-codes ({known}); got {code}")
        fault = replace(fault, code=int(code))
    return fault


def _names(names: set[str]) -> str:
    return ", ".join(sorted(names)) or "none"


def header_bodies(text: str) -> list[dict[str, Any]]:
    """The fault requests of an `X-Cudis-Mock-Fault` header, e.g. `latency=300, status=503`.

    Each is then checked like a POST /__mock__/faults body and applies to that request only.
    """
    bodies: list[dict[str, Any]] = []
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        kind, _, value = (s.strip() for s in item.partition("="))
        if kind not in KINDS:
            raise FaultError(HEADER, f"unknown fault {kind!r} in {item!r}; use one of {', '.join(KINDS)}")
        body: dict[str, Any] = {"kind": kind}
        if kind in {"malformed", "drop"}:
            if value:
                raise FaultError(HEADER, f"{kind} takes no value (got {item!r})")
        elif kind == "rate_limit" and not value:
            pass
        else:
            try:
                if kind == "latency" and "-" in value:
                    low, _, high = value.partition("-")
                    body.update(min_ms=int(low), max_ms=int(high))
                else:
                    body[{"latency": "ms", "rate_limit": "retry_after"}.get(kind, kind)] = int(value)
            except ValueError:
                raise FaultError(
                    HEADER, f"{item!r} needs a whole number, e.g. latency=300, latency=100-800 or status=503"
                ) from None
        bodies.append(body)
    return bodies


def longest_delay_ms(faults: Iterable[Fault]) -> int:
    """The most delay `faults` can add to one request: each latency fault's largest draw, summed."""
    return sum((f.ms if f.ms is not None else f.max_ms or 0) for f in faults if f.kind == "latency")


def check_total_delay(faults: Iterable[Fault], cap_ms: int, field: str) -> None:
    """FaultError (on `field`) when `faults` could delay one request by more than `cap_ms` in all."""
    total = longest_delay_ms(faults)
    if total > cap_ms:
        raise FaultError(
            field,
            f"asks for up to {total} ms of delay on one request in all; the mock delays a request"
            f" at most {cap_ms} ms (header items and stored latency faults together)",
        )


def next_id(faults: Sequence[Fault]) -> str:
    """`f1`, `f2`, ...: the next free id."""
    numbers = [int(f.id[1:]) for f in faults if f.id[:1] == "f" and f.id[1:].isdigit()]
    return f"f{max(numbers, default=0) + 1}"


def matches(fault: Fault, operation_id: str, path: str) -> bool:
    return fault.endpoint is None or fault.endpoint in {operation_id, path}


def _draw(fault: Fault, hit: int, purpose: str) -> float:
    # Seeding with a string hashes it with SHA-512: the same in every process and Python run.
    return random.Random(f"{fault.seed}:{hit}:{purpose}").random()


def _fires(fault: Fault, hit: int) -> bool:
    return fault.percent is None or _draw(fault, hit, "percent") * 100 < fault.percent


def _delay(fault: Fault, hit: int) -> float:
    if fault.ms is not None:
        return fault.ms / 1000
    low, high = fault.min_ms or 0, fault.max_ms or 0
    return (low + (high - low) * _draw(fault, hit, "latency")) / 1000


def step(faults: Sequence[Fault], operation_id: str, path: str, decided: bool = False) -> tuple[list[Fault], Effect]:
    """The faults after one request to `path`, and what that request gets.

    Every matching fault counts the hit; each one that fires counts it too, and a fault
    with `times` disappears once it has fired that often. Latencies add up; the first other
    fault that fires decides the answer (later ones still count the hit but do not fire).
    With `decided`, the answer is already chosen (by the request's header): only latencies fire.
    """
    kept: list[Fault] = []
    delay = 0.0
    decisive: Fault | None = None
    labels: list[str] = []
    for fault in faults:
        if not matches(fault, operation_id, path):
            kept.append(fault)
            continue
        hit = fault.hits + 1
        fires = _fires(fault, hit) and (fault.kind == "latency" or (decisive is None and not decided))
        updated = replace(fault, hits=hit, fired=fault.fired + fires)
        if fires:
            labels.append(fault.describe())
            if fault.kind == "latency":
                delay += _delay(fault, hit)
            else:
                decisive = fault
            if updated.times is not None:
                updated = replace(updated, times=updated.times - 1)
        if updated.times is None or updated.times > 0:
            kept.append(updated)
    return kept, Effect(delay=delay, fault=decisive, labels=tuple(labels))


def malformed_body(codes: CodeCatalogue) -> bytes:
    """A success answer cut off mid-way, as a proxy or a crashed upstream might leave it."""
    return f'{{"code":{codes.success.code},"msg":"{codes.success.msg}","data":{{"maximum":8'.encode()


def envelope_code(fault: Fault, codes: CodeCatalogue) -> int:
    """The envelope code of a decisive fault's answer."""
    if fault.kind == "status":
        return codes.by_key("unavailable" if fault.status == 503 else "internal").code
    if fault.kind == "rate_limit":
        return codes.by_key("too-many-requests").code
    if fault.kind == "code" and fault.code is not None:
        return fault.code
    raise ValueError(f"a {fault.kind} fault has no envelope")
