"""Run the contract suite against one implementation: what it sends, judged by the engine; the CLI and the pytest
plugin drive it."""

from __future__ import annotations

import json
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from schemathesis import GenerationMode

from cudis_spec import QueryOperation, Spec, load_spec

from .authorize import AuthorizeProbe, a_login_page, authorize_requests, judge_authorize, url_of
from .cases import BodyKind, Case, RequestBody, auth_probes, classify_body
from .checks import Context, applies, registered
from .days import Answer, DayBoundary, Ledger, given_boundary, infer_boundary
from .engine import judge
from .findings import Family, Finding, Findings, Severity
from .transport import ContractUsageError, Exchange, Transport

DEFAULT_MAX_EXAMPLES = 100
_DAY = 86400
_OTHER_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class SuiteOptions:
    base_url: str
    client_id: str
    token: str
    expired_token: str | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    """Generated requests per operation and per generator (valid ranges, positive, negative)."""
    seed: int | None = None
    rate_limit: float | None = None
    """Requests per second; None for no limit."""
    timeout: float = 10.0
    operations: tuple[str, ...] | None = None
    """operationIds to check; None for every query operation."""
    clock_offset: float = 0.0
    """Seconds the server's clock is ahead of this machine's (cudis-mock's clock can be set); shifts "now"."""
    timezone: int | None = None
    """The user's UTC offset in seconds (`--timezone`); None to infer it from the answers."""
    clock: Callable[[], float] = time.time
    """This machine's clock; a test passes the instant it froze the server's clock at."""
    seed_flag: str = "--seed"
    """The flag that repeats a run with the runner in use (`--cudis-seed` under pytest)."""
    redirect_uri: str | None = None
    """A redirect URI registered for `client_id`: with it, the authorize endpoint is checked too."""
    authorize_url: str | None = None
    """The authorize endpoint; None for `{base_url}/oauth/authorize`."""


@dataclass
class OperationSummary:
    """What was checked on one operation."""

    requests: int = 0
    families: set[Family] = field(default_factory=set)
    """The families whose checks applied to at least one of its exchanges."""


@dataclass
class Report:
    """What a run found, and how it went."""

    options: SuiteOptions
    seed: int
    findings: Findings = field(default_factory=Findings)
    requests: int = 0
    seconds: float = 0.0
    operations: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    boundary: DayBoundary | None = None
    checked: dict[str, OperationSummary] = field(default_factory=dict)

    @property
    def failures(self) -> list[Finding]:
        return self.findings.failures

    @property
    def warnings(self) -> list[Finding]:
        return self.findings.warnings

    def exit_code(self, strict: bool = False) -> int:
        """0 when the implementation conforms, 1 when it breaks a rule (or, with `strict`, an assumption)."""
        return 1 if self.failures or (strict and self.warnings) else 0


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def consistency_ranges(now: float) -> list[tuple[float, float]]:
    """Overlapping, nested and adjacent ranges, short and years long, and ranges with no day at all, to compare."""
    anchor = int(now) - int(now) % _DAY - 40 * _DAY + 5 * 3600
    return [
        (anchor - 10 * _DAY, anchor),
        (anchor - 5 * _DAY, anchor + 5 * _DAY),
        (anchor - 3 * _DAY, anchor - 1 * _DAY),
        (anchor, anchor + 7 * _DAY),
        (anchor - 1, anchor + 1),
        (anchor - 3 * 365 * _DAY, anchor - 2 * _DAY),
        (anchor - 400 * _DAY, anchor - 390 * _DAY),
        (anchor + 3 * _DAY, anchor + 3 * _DAY),
        (anchor - 2 * _DAY, anchor - 2 * _DAY),
    ]


def explicit_bodies(now: float) -> list[tuple[str, bytes | None, str | None]]:
    """Hand-picked ranges and bad inputs: the page's example, the current day, empty ranges, each kind of bad body."""
    today = int(now) - int(now) % _DAY
    return [
        ("the spec's example", _json({"startTime": 1726444800, "endTime": 1726704000}), "application/json"),
        (
            "the last 7 days up to now",
            _json({"startTime": int(now) - 7 * _DAY, "endTime": int(now)}),
            "application/json",
        ),
        (
            "into the future",
            _json({"startTime": int(now) - 3 * _DAY, "endTime": int(now) + 2 * _DAY}),
            "application/json",
        ),
        ("UTC days", _json({"startTime": today - 30 * _DAY, "endTime": today}), "application/json"),
        ("an empty range", _json({"startTime": today - 10 * _DAY, "endTime": today - 10 * _DAY}), "application/json"),
        ("1970", _json({"startTime": 0, "endTime": 3 * _DAY}), "application/json"),
        (
            "whole-number floats",
            _json({"startTime": float(today - 5 * _DAY), "endTime": float(today)}),
            "application/json",
        ),
        ("a number as a string", _json({"startTime": str(today - 5 * _DAY), "endTime": today}), "application/json"),
        ("null", _json({"startTime": None, "endTime": today}), "application/json"),
        ("a boolean", _json({"startTime": True, "endTime": today}), "application/json"),
        ("an array", _json([today - 5 * _DAY, today]), "application/json"),
        ("not JSON", b"startTime=1&endTime=2", "application/json"),
        ("start after end", _json({"startTime": today, "endTime": today - 5 * _DAY}), "application/json"),
        ("milliseconds", _json({"startTime": (today - 5 * _DAY) * 1000, "endTime": today * 1000}), "application/json"),
        ("negative", _json({"startTime": -_DAY, "endTime": today}), "application/json"),
        ("no fields", _json({}), "application/json"),
        ("no body", None, None),
        ("text/plain", _json({"startTime": today - 5 * _DAY, "endTime": today}), "text/plain"),
    ]


def valid_ranges(now: float) -> st.SearchStrategy[bytes]:
    """Ranges the contract says must succeed: up to 31 days, from three years ago to two days ahead."""
    start = st.integers(int(now) - 3 * 365 * _DAY, int(now) + 2 * _DAY)
    span = st.integers(0, 31 * _DAY)
    as_float = st.booleans()
    return st.builds(
        lambda s, n, f: _json({"startTime": float(s) if f else s, "endTime": float(s + n) if f else s + n}),
        start,
        span,
        as_float,
    )


def _case_body(case: Any) -> tuple[bytes | None, str | None]:
    """The bytes and media type a generated schemathesis `Case` sends as its body."""
    body = case.body
    if isinstance(body, (bytes, bytearray)):
        return bytes(body), case.media_type
    if type(body).__name__ == "NotSet":
        return None, None
    try:
        return json.dumps(body).encode(), case.media_type or "application/json"
    except (TypeError, ValueError):
        return str(body).encode(), case.media_type


def _run_examples(strategy: st.SearchStrategy[Any], max_examples: int, seed: int, each: Callable[[Any], None]) -> None:
    @settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=False,  # the seed below makes the run repeatable
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(strategy)
    def explore(value: Any) -> None:
        each(value)

    hypothesis_seed(seed)(explore)()


class _OperationRun:
    def __init__(self, spec: Spec, operation: QueryOperation, transport: Transport, report: Report) -> None:
        self.spec = spec
        self.operation = operation
        self.transport = transport
        self.report = report
        options = report.options
        self.good = {"Authorization": f"Bearer {options.token}", spec.client_id_header: options.client_id}
        self.ledger = Ledger()
        self.summary = report.checked.setdefault(operation.label, OperationSummary())

    def now(self) -> float:
        """The server's now, as far as the suite knows it."""
        return self.report.options.clock() + self.report.options.clock_offset

    def context(self) -> Context:
        boundary = self.report.boundary
        if boundary is None:
            return Context(self.spec, self.now())
        return Context(self.spec, self.now(), boundary.offsets, boundary.since)

    def record(self, exchange: Exchange, case: Case) -> None:
        """Record what the engine finds in one exchange; keep a success answer to a valid range for comparison."""
        ctx = self.context()
        self.summary.requests += 1
        self.summary.families |= {c.family for c in registered() if applies(c, ctx, exchange, case)}
        document = exchange.json()
        span = case.body.range
        if (
            case.probe is None
            and case.body.kind is BodyKind.VALID
            and span is not None
            and exchange.method == self.operation.method
            and isinstance(document, dict)
            and document.get("code") == self.spec.codes.success.code
        ):
            days = _days_of(document.get("data"))
            if days is not None:
                self.ledger.add(Answer(span[0], span[1], ctx.now, days, self.transport.curl(exchange)))
        for family, broke in judge(ctx, exchange, case):
            self.report.findings.add(
                Finding(
                    rule=broke.rule,
                    operation=self.operation.label,
                    severity=broke.severity,
                    says=broke.says,
                    got=broke.got,
                    curl=self.transport.curl(exchange),
                    family=family,
                    assumption=broke.assumption,
                )
            )

    def query(self, body: bytes | None, content_type: str | None, headers: dict[str, str] | None = None) -> Exchange:
        sent = dict(self.good if headers is None else headers)
        if content_type:
            sent["Content-Type"] = content_type
        return self.transport.send(self.operation.method, self.operation.path, sent, body)

    def classify(self, body: bytes | None, content_type: str | None) -> RequestBody:
        return classify_body(self.spec, self.operation, body, content_type or "")

    def judge_query(self, body: bytes | None, content_type: str | None) -> None:
        exchange = self.query(body, content_type)
        self.record(exchange, Case(self.operation, self.classify(body, content_type)))

    def ask(self, start: float, end: float) -> list[date] | None:
        """Send a valid range; the dates a success answer lists, else None."""
        body = _json({"startTime": int(start), "endTime": int(end)})
        exchange = self.query(body, "application/json")
        self.record(exchange, Case(self.operation, self.classify(body, "application/json")))
        document = exchange.json()
        if not isinstance(document, dict) or document.get("code") != self.spec.codes.success.code:
            return None
        days = _days_of(document.get("data"))
        return sorted(days) if days is not None else None

    def first_query(self) -> None:
        """The spec's example with the given credentials; refused, the run cannot judge anything: a usage error."""
        body = _json({"startTime": 1726444800, "endTime": 1726704000})
        exchange = self.query(body, "application/json")
        document = exchange.json()
        if isinstance(document, dict) and document.get("code") == self.spec.codes.session_expired.code:
            raise ContractUsageError(
                f"{self.report.options.base_url} refused the credentials given (code "
                f"{self.spec.codes.session_expired.code}: {document.get('msg')!r}): check --token and that "
                "--client-id is the client the token was issued to"
            )
        self.record(exchange, Case(self.operation, self.classify(body, "application/json")))

    def consistency(self) -> None:
        for start, end in consistency_ranges(self.now()):
            self.ask(start, end)

    def disagreements(self) -> None:
        assert self.report.boundary is not None
        if self.ledger.answers:
            self.summary.families.add(Family.CONSISTENCY)
        for found in self.ledger.disagreements(self.report.boundary):
            self.report.findings.add(
                Finding(
                    rule=found.rule,
                    operation=self.operation.label,
                    severity=Severity.FAILURE,
                    says=found.says,
                    got=found.got,
                    curl=found.curl,
                    family=Family.CONSISTENCY,
                )
            )

    def explicit(self) -> None:
        for _label, body, content_type in explicit_bodies(self.now()):
            self.judge_query(body, content_type)

    def generated(self, schema: Any) -> None:
        options, seed = self.report.options, self.report.seed
        _run_examples(
            valid_ranges(self.now()), options.max_examples, seed, lambda b: self.judge_query(b, "application/json")
        )
        api_operation = schema[self.operation.path][self.operation.method]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run_examples(
                api_operation.as_strategy(generation_mode=mode),
                options.max_examples,
                seed,
                lambda case: self.judge_query(*_case_body(case)),
            )

    def authorization(self, expired_token: str | None) -> None:
        body = _json({"startTime": int(self.now()) - 3 * _DAY, "endTime": int(self.now())})
        options = self.report.options
        probes = auth_probes(options.token, options.client_id, expired_token, foreign_token())
        for probe, headers in probes:
            exchange = self.query(body, "application/json", headers)
            self.record(exchange, Case(self.operation, self.classify(body, "application/json"), probe))

    def other_methods(self) -> None:
        body = _json({"startTime": int(self.now()) - 3 * _DAY, "endTime": int(self.now())})
        for method in _OTHER_METHODS:
            exchange = self.transport.send(
                method, self.operation.path, {**self.good, "Content-Type": "application/json"}, body
            )
            self.record(exchange, Case(self.operation, self.classify(body, "application/json")))


def _days_of(data: Any) -> dict[date, Any] | None:
    """The listed days of a success answer's data, by date; None when they are not a list of dated items."""
    items = data.get("list") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    days: dict[date, Any] = {}
    for item in items:
        text = item.get("date") if isinstance(item, dict) else None
        try:
            day = date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
        except ValueError:
            day = None
        if day is None:
            return None
        days[day] = item
    return days


def _boundary(options: SuiteOptions, run: _OperationRun) -> DayBoundary:
    if options.timezone is not None:
        return given_boundary(options.timezone, run.ask, run.now())
    return infer_boundary(run.ask, run.now())


def check_authorize(spec: Spec, options: SuiteOptions, transport: Transport, report: Report) -> None:
    """The authorize endpoint's success redirect (unless it shows a login page) and the requests it must refuse."""
    assert options.redirect_uri is not None
    endpoint = options.authorize_url or options.base_url.rstrip("/") + "/oauth/authorize"
    label = f"GET {urlsplit(endpoint).path or '/'}"
    report.operations.append(label)
    summary = report.checked.setdefault(label, OperationSummary())
    first = spec.queries[0]
    example = _json({"startTime": 1726444800, "endTime": 1726704000})

    def token_works(token: str) -> bool:
        headers = {"Authorization": f"Bearer {token}", spec.client_id_header: options.client_id}
        sent = {**headers, "Content-Type": "application/json"}
        document = transport.send(first.method, first.path, sent, example).json()
        return isinstance(document, dict) and document.get("code") == spec.codes.success.code

    for request in authorize_requests(options.client_id, options.redirect_uri):
        exchange = transport.send("GET", url_of(endpoint, request), {}, None)
        summary.requests += 1
        summary.families.add(Family.AUTHORIZATION)
        if request.probe is AuthorizeProbe.SUCCESS and a_login_page(exchange):
            report.notes.append(
                f"{endpoint} shows a login page: the success redirect needs a person to sign in, so only the "
                "refusals were checked"
            )
        for broke in judge_authorize(request, exchange, token_works):
            report.findings.add(
                Finding(
                    rule=broke.rule,
                    operation=label,
                    severity=broke.severity,
                    says=broke.says,
                    got=broke.got,
                    curl=transport.curl(exchange),
                    family=Family.AUTHORIZATION,
                    assumption=broke.assumption,
                )
            )


def foreign_token() -> str:
    """A token in the page's shape that no server issued."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


def run_suite(
    options: SuiteOptions,
    *,
    spec: Spec | None = None,
    expired_token: Callable[[], str | None] | None = None,
) -> Report:
    """Check every query operation; `expired_token` is asked at the end (a just-minted short token has lapsed)."""
    spec = spec or load_spec()
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**32)
    report = Report(options=options, seed=seed)
    secrets_map = {options.token: "CUDIS_TOKEN"}
    if options.expired_token:
        secrets_map[options.expired_token] = "CUDIS_EXPIRED_TOKEN"
    transport = Transport(options.base_url, rate_limit=options.rate_limit, timeout=options.timeout, secrets=secrets_map)
    schema = schemathesis.openapi.from_dict(spec.suite_view)
    started = time.monotonic()
    operations = [op for op in spec.queries if options.operations is None or op.operation_id in options.operations]
    try:
        runs = [_OperationRun(spec, op, transport, report) for op in operations]
        if runs:
            runs[0].first_query()
            report.boundary = _boundary(options, runs[0])
        for run in runs:
            report.operations.append(run.operation.label)
            run.explicit()
            run.consistency()
            run.generated(schema)
            run.other_methods()
        late_expired = options.expired_token or (expired_token() if expired_token else None)
        if late_expired and late_expired != options.expired_token:
            transport.secrets[late_expired] = "CUDIS_EXPIRED_TOKEN"
        for run in runs:
            run.authorization(late_expired)
            run.disagreements()
        if options.redirect_uri:
            check_authorize(spec, options, transport, report)
        if not late_expired:
            report.notes.append(
                "the token minted to expire had not lapsed yet: the expired-token probe did not run"
                if expired_token
                else "no expired token given (--expired-token): the expired-token probe did not run"
            )
    finally:
        transport.close()
    links = list(spec.links())
    if links:
        report.notes.append(f"the spec declares {len(links)} links; this suite does not walk stateful sequences yet")
    else:
        report.notes.append("the spec declares no OpenAPI links, so there are no stateful sequences to check")
    report.requests = transport.requests_sent
    report.seconds = time.monotonic() - started
    return report


__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "BodyKind",
    "Report",
    "Severity",
    "SuiteOptions",
    "run_suite",
]
