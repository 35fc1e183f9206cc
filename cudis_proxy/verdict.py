"""One exchange judged by the contract suite's engine: the verdict `cudis-contract` gives for it.

The suite knows what it meant by each request (it sends the probes itself); the proxy reads
it from the request: no `Authorization` is the no-token probe, no `Cudis-Client-Id` the
no-client-id probe, and credentials the upstream refused with session-expired are judged as
refused credentials (the proxy cannot tell a stale token from a good one refused; see the
spec's assumption `proxy-credentials`). Everything else is a query with valid credentials.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

from contract_tests.cases import AuthProbe, Case, classify_body
from contract_tests.checks import Context
from contract_tests.engine import judge
from contract_tests.findings import Break, Severity
from contract_tests.transport import Exchange
from cudis_spec import QueryOperation, Spec

HEADER = "X-Cudis-Contract"
CACHE_SIZE = 2048
CACHE_SECONDS = 60
"""An identical exchange within the same minute gets the cached verdict (only the current day matters)."""


@dataclass(frozen=True)
class Judged:
    """An exchange judged, with what the proxy reads from its answer (all a function of the exchange)."""

    case: Case
    verdict: Verdict
    failure: str | None
    """Why the answer cannot be handed on (upstream.unusable_answer), None when it can."""
    code: int | None
    """The answer's envelope `code` when it is handed on."""


@dataclass(frozen=True)
class Verdict:
    breaks: tuple[Break, ...]

    @cached_property
    def failures(self) -> list[str]:
        return _unique(b.rule for b in self.breaks if b.severity is Severity.FAILURE)

    @cached_property
    def warnings(self) -> list[str]:
        return _unique(b.rule for b in self.breaks if b.severity is Severity.WARNING)

    @cached_property
    def header(self) -> str:
        """`pass`, `fail; rule, rule` or `warn; rule` (warnings only when nothing failed)."""
        if self.failures:
            return "fail; " + ", ".join(self.failures)
        if self.warnings:
            return "warn; " + ", ".join(self.warnings)
        return "pass"

    def journal(self) -> list[dict[str, str | None]]:
        return [
            {"rule": b.rule, "severity": b.severity.value, "says": b.says, "got": b.got, "assumption": b.assumption}
            for b in self.breaks
        ]


def _unique(rules: object) -> list[str]:
    return list(dict.fromkeys(rules))  # type: ignore[call-overload]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def case_for(spec: Spec, operation: QueryOperation, exchange: Exchange) -> Case:
    """What the request meant, read from the request itself (and a refusal of its credentials)."""
    body = classify_body(spec, operation, exchange.body, _header(exchange.headers, "Content-Type") or "")
    probe = None
    if not _header(exchange.headers, "Authorization"):
        probe = AuthProbe.NO_TOKEN
    elif not _header(exchange.headers, spec.client_id_header):
        probe = AuthProbe.NO_CLIENT_ID
    elif _refused_credentials(spec, exchange):
        probe = AuthProbe.WRONG_TOKEN
    return Case(operation, body, probe)


def _refused_credentials(spec: Spec, exchange: Exchange) -> bool:
    document = exchange.json()
    return isinstance(document, dict) and document.get("code") == spec.codes.session_expired.code


class Judge:
    """Verdicts for exchanges, the engine's work kept for identical exchanges in the same minute."""

    def __init__(self, spec: Spec, read: Callable[[Exchange], tuple[str | None, int | None]]) -> None:
        self.spec = spec
        self.read = read
        """(why the answer is unusable, its envelope code): kept with the verdict, so a repeat parses nothing."""
        self._cache: dict[tuple[object, ...], Judged] = {}
        self._lock = threading.Lock()

    def judge(self, operation: QueryOperation, exchange: Exchange, now: float) -> Judged:
        key = (
            int(now // CACHE_SECONDS),
            operation.operation_id,
            exchange.method,
            exchange.url,
            exchange.body,
            tuple(sorted((k.lower(), v) for k, v in exchange.headers.items())),
            exchange.status,
            exchange.error,
            exchange.content_type,
            exchange.content,
        )
        found = self._cache.get(key)
        if found is not None:
            return found
        case = case_for(self.spec, operation, exchange)
        verdict = Verdict(tuple(broke for _family, broke in judge(Context(self.spec, now), exchange, case)))
        judged = Judged(case, verdict, *self.read(exchange))
        with self._lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = judged
        return judged


def data_text(content: bytes) -> str | None:
    """The `data` of a success envelope as compact JSON text, in the upstream's key order and number forms."""
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict) or "data" not in document:
        return None
    return json.dumps(document["data"], separators=(",", ":"), ensure_ascii=False)
