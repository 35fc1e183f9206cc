"""A small CUDIS implementation written from the vendor's page, independently of the mock.

It shares no code with `mock_server`: its own data, its own parsing, its own envelope. One
switch (`defect`) breaks exactly one thing, to prove the contract suite notices; the other
switches are choices the page leaves open, which the suite must accept.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Literal, get_args
from urllib.parse import urlencode

from flask import Flask, Response, request

CLIENT_ID = "reference-client"
TOKEN = "REFERENCETOKEN000000000000000001"
EXPIRED_TOKEN = "REFERENCEEXPIRED0000000000000002"
SESSION_EXPIRED = "Session expired. Please sign in again"
REDIRECT_URI = "https://reference.example/callback"
LONGEST_DAYS = 3660

Defect = Literal[
    "error-without-msg",
    "error-data-not-null",
    "string-numbers",
    "missing-field",
    "renamed-field",
    "bad-date-format",
    "wrong-maximum",
    "wrong-count-step",
    "wrong-ratios",
    "includes-today",
    "outside-range",
    "unsorted",
    "duplicates",
    "accepts-any-token",
    "ignores-client-id",
    "ignores-expiry",
    "crash-on-string",
    "accepts-garbage",
    "refuses-valid-range",
    "text-plain",
    "includes-today-near-midnight",
    "drops-first-day",
    "day-after-range",
    "range-dependent-values",
    "wrong-success-msg",
    "wrong-expired-msg",
    "accepts-token-end-changed",
    "null-list",
    "answers-reversed-range",
    "authorize-unknown-client-redirects",
    "authorize-open-redirect",
    "authorize-any-response-type",
    "authorize-token-refused",
    "authorize-token-in-fragment",
    "fractional-average",
]
DEFECTS: tuple[Defect, ...] = get_args(Defect)


@dataclass(frozen=True)
class Behaviour:
    error_status: Literal["200", "mapped"] = "200"
    """HTTP status of error envelopes: 200, or 401 for 20007, 415 for a content type, 400 for other bad input."""
    bad_input_code: int | None = None
    """None: the spec's codes (40000 body, 40001 field, 40002 range, 41500 type); else this one code for all."""
    defect: Defect | None = None
    zone_hours: int = 14
    login_page: bool = False
    """The authorize endpoint shows a login page instead of redirecting at once."""
    """The user's UTC offset; by default Kiritimati (UTC+14), where 'the current day' begins first."""

    @property
    def zone(self) -> timezone:
        return timezone(timedelta(hours=self.zone_hours))


class _Refused(Exception):
    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


def _day_values(day: date, bias: int = 0) -> dict[str, float]:
    n = day.toordinal() + bias
    return {
        "maxY": float(110 + n % 37),
        "minY": float(48 + n % 13),
        "y": float(800 + (n * 7919) % 11000),
        "deepY": float(35 + n % 41),
        "shallowY": float(250 + (n * 31) % 160),
        "awakeY": float(3 + n % 29),
    }


def _days(start: float, end: float, now: float, behaviour: Behaviour) -> list[date]:
    """Local days overlapping [start, end), before the user's current day."""
    defect, zone = behaviour.defect, behaviour.zone
    near_midnight = 3600 if defect == "includes-today-near-midnight" else 0
    today = datetime.fromtimestamp(now + near_midnight, zone).date()
    last = today if defect == "includes-today" else today - timedelta(days=1)
    first_day = datetime.fromtimestamp(start, zone).date()
    days = []
    day = first_day
    while day <= last:
        begins = datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()
        if begins >= end and not (begins == start == end):
            if defect == "day-after-range" and days:
                days.append(day)
            break
        if begins + 86400 > start:
            days.append(day)
        day += timedelta(days=1)
    if defect == "drops-first-day":
        days = days[1:]
    if defect == "outside-range":
        days.insert(0, first_day - timedelta(days=3))
    if defect == "duplicates" and days:
        days.append(days[-1])
    if defect == "unsorted":
        days.reverse()
    if defect == "includes-today" and not days:
        days.append(today)
    return days


def _heart(days: list[date], defect: Defect | None) -> dict[str, Any]:
    bias = len(days) % 3 if defect == "range-dependent-values" else 0
    items = [
        {"date": d.isoformat(), "maxY": _day_values(d, bias)["maxY"], "minY": _day_values(d, bias)["minY"]}
        for d in days
    ]
    if items:
        maximum = round(max(i["maxY"] for i in items))  # type: ignore[type-var]
        minimum = round(min(i["minY"] for i in items))  # type: ignore[type-var]
        average = round(sum((i["maxY"] + i["minY"]) / 2 for i in items) / len(items))  # type: ignore[operator]
    else:
        maximum = minimum = average = 0
    if defect == "wrong-maximum":
        maximum += 5
    if defect == "fractional-average" and items:
        average = sum((i["maxY"] + i["minY"]) / 2 for i in items) / len(items) + 0.25  # type: ignore[operator]
    data: dict[str, Any] = {"maximum": maximum, "minimum": minimum, "average": average, "list": items}
    if defect == "string-numbers":
        data["maximum"] = str(maximum)
    if defect == "missing-field":
        del data["average"]
    return data


def _step(days: list[date], defect: Defect | None) -> dict[str, Any]:
    items = [{"date": d.isoformat(), "y": _day_values(d)["y"]} for d in days]
    count = int(sum(float(i["y"]) for i in items)) + (100 if defect == "wrong-count-step" else 0)
    return {"count_step" if defect == "renamed-field" else "countStep": count, "list": items}


def _sleep(days: list[date], defect: Defect | None) -> dict[str, Any]:
    items = [
        {"date": d.isoformat(), **{k: int(_day_values(d)[k]) for k in ("deepY", "shallowY", "awakeY")}} for d in days
    ]
    deep, shallow, awake = (sum(int(i[k]) for i in items) for k in ("deepY", "shallowY", "awakeY"))  # type: ignore[call-overload]
    total = deep + shallow + awake
    if total:
        deep_ratio, shallow_ratio = 100 * deep // total, 100 * shallow // total
        awake_ratio = 100 - deep_ratio - shallow_ratio - (1 if defect == "wrong-ratios" else 0)
        mean = round(total / len(items))
    else:
        deep_ratio = shallow_ratio = awake_ratio = mean = 0
    return {
        "deepRatio": deep_ratio,
        "shallowRatio": shallow_ratio,
        "awakeRatio": awake_ratio,
        "sumDuration": mean,
        "list": items,
    }


_METRICS = {"heart_beat": _heart, "step": _step, "sleep": _sleep}


class Reference:
    def __init__(self, behaviour: Behaviour, clock: Callable[[], float] | None = None) -> None:
        self.behaviour = behaviour
        self.clock = clock or (lambda: datetime.now(UTC).timestamp())

    def _bad(self, code: int, msg: str) -> _Refused:
        return _Refused(self.behaviour.bad_input_code or code, msg)

    def check_credentials(self, authorization: str | None, client_id: str | None) -> None:
        defect = self.behaviour.defect
        scheme, _, token = (authorization or "").partition(" ")
        expired = "Session expired" if defect == "wrong-expired-msg" else SESSION_EXPIRED
        if defect == "accepts-token-end-changed" and token[:-1] == TOKEN[:-1]:
            token = TOKEN
        if scheme != "Bearer" or not token:
            raise _Refused(20007, expired)
        if token == EXPIRED_TOKEN and defect != "ignores-expiry":
            raise _Refused(20007, expired)
        if token not in (TOKEN, EXPIRED_TOKEN) and defect != "accepts-any-token":
            raise _Refused(20007, expired)
        if client_id != CLIENT_ID and defect != "ignores-client-id":
            raise _Refused(20007, expired)

    def parse_range(self, body: bytes, content_type: str) -> tuple[float, float]:
        defect = self.behaviour.defect
        try:
            if not body.strip():
                raise self._bad(40000, "send a JSON body {startTime, endTime}")
            if "json" not in content_type:
                raise _Refused(self.behaviour.bad_input_code or 41500, "send the body as application/json")
            value = json.loads(body, parse_constant=lambda c: math.nan)
            if not isinstance(value, dict):
                raise self._bad(40000, "the body must be a JSON object")
            times = []
            for name in ("startTime", "endTime"):
                field = value.get(name)
                if defect == "crash-on-string" and isinstance(field, str):
                    field = field + 0  # the defect: a string reaches arithmetic and the server crashes
                if isinstance(field, bool) or not isinstance(field, (int, float)) or not math.isfinite(field):
                    raise self._bad(40001, f"{name} must be a number of Unix seconds")
                if not 0 <= field <= 99999999999:
                    raise self._bad(40001, f"{name} must be Unix seconds from 0 to 99999999999")
                times.append(float(field))
        except (ValueError, _Refused) as problem:
            if defect == "accepts-garbage":
                now = self.clock()
                return now - 7 * 86400, now
            if isinstance(problem, _Refused):
                raise
            raise self._bad(40000, "the body is not JSON") from None
        start, end = times
        if start > end and defect == "answers-reversed-range":
            return end, start
        if start > end:
            raise self._bad(40002, "startTime must not be after endTime")
        longest = 7 if defect == "refuses-valid-range" else LONGEST_DAYS
        if end - start > longest * 86400:
            raise self._bad(40002, f"ask for at most {longest} days")
        return start, end

    def answer(self, metric: str) -> Response:
        try:
            self.check_credentials(request.headers.get("Authorization"), request.headers.get("Cudis-Client-Id"))
            start, end = self.parse_range(request.get_data(), request.headers.get("Content-Type", ""))
        except _Refused as refused:
            return self.error(refused)
        defect = self.behaviour.defect
        data = _METRICS[metric](_days(start, end, self.clock(), self.behaviour), defect)
        if defect == "bad-date-format":
            for item in data["list"]:
                item["date"] = item["date"].replace("-", "/")
        if defect == "null-list":
            data["list"] = None
        mimetype = "text/plain" if defect == "text-plain" else "application/json"
        msg = "ok" if defect == "wrong-success-msg" else "success"
        return Response(json.dumps({"code": 200, "msg": msg, "data": data}), mimetype=mimetype)

    def authorize(self) -> Response:
        """The implicit grant, approved at once (no person); a login page with `login_page`."""
        args, defect = request.args, self.behaviour.defect
        redirect_uri = args.get("redirect_uri") or REDIRECT_URI
        known = args.get("client_id") == CLIENT_ID or defect == "authorize-unknown-client-redirects"
        if not known or (redirect_uri != REDIRECT_URI and defect != "authorize-open-redirect"):
            return Response("<html><p>Unknown client or redirect URI.</p></html>", status=400, mimetype="text/html")
        params: dict[str, str]
        if args.get("response_type") != "token" and defect != "authorize-any-response-type":
            params = {"error": "unsupported_response_type"}
        elif self.behaviour.login_page:
            return Response("<html><form method=post><input name=password></form></html>", mimetype="text/html")
        else:
            token = "NOTISSUED" + TOKEN[9:] if defect == "authorize-token-refused" else TOKEN
            params = {"access_token": token, "scope": "daily"}
        if "state" in args:
            params["state"] = args["state"]
        separator = "#" if defect == "authorize-token-in-fragment" else "?"
        return Response(status=302, headers={"Location": redirect_uri + separator + urlencode(params)})

    def error(self, refused: _Refused) -> Response:
        defect = self.behaviour.defect
        envelope: dict[str, Any] = {"code": refused.code, "msg": refused.msg, "data": None}
        if defect == "error-without-msg":
            del envelope["msg"]
        if defect == "error-data-not-null":
            envelope["data"] = {}
        status = 200
        if self.behaviour.error_status == "mapped":
            status = {20007: 401, 41500: 415}.get(refused.code, 400)
        return Response(json.dumps(envelope), status=status, mimetype="application/json")


def create_reference_app(behaviour: Behaviour | None = None, clock: Callable[[], float] | None = None) -> Flask:
    """The reference implementation as a Flask app (its own 404 and 405 pages, as Flask makes them)."""
    reference = Reference(behaviour or Behaviour(), clock)
    app = Flask("cudis-reference")
    app.add_url_rule("/oauth/authorize", "authorize", reference.authorize)
    for metric in _METRICS:
        app.add_url_rule(
            f"/partner/v1/query/{metric}", f"query_{metric}", lambda metric=metric: reference.answer(metric)
        )
    return app
