"""The explorer page: a user's data for a range as charts, beside the exact JSON of each endpoint."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Response, render_template, request
from markupsafe import Markup

from ..context import MockContext, mock_context
from ..qa.answers import RecordedAnswer, answer_range, local_range
from ..qa.charts import NARROW, heart_chart, sleep_chart, step_chart
from ..synth import METRICS
from ..synth.calendar import days_in_range

DEFAULT_DAYS = 30
# No script at all: the form is a plain GET form, the charts are inline SVG (the index page shares these).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_CHARTS = {"heart_beat": heart_chart, "step": step_chart, "sleep": sleep_chart}
_TITLES = {"heart_beat": "Heart rate", "step": "Steps", "sleep": "Sleep"}


@dataclass(frozen=True)
class Panel:
    metric: str
    title: str
    chart: Markup
    narrow_chart: Markup
    """The same chart drawn for a phone's width (the page shows one or the other)."""
    answer: RecordedAnswer


def _date_arg(name: str, default: date) -> tuple[date, str]:
    text = request.args.get(name, "").strip()
    if not text:
        return default, ""
    try:
        return date.fromisoformat(text), ""
    except ValueError:
        return default, f"{name} {text[:40]!r} is not a date; pick one or write YYYY-MM-DD."


def _page(mock: MockContext, status: int, **values: object) -> Response:
    body = render_template("explorer.html", users=list(mock.fixtures.users.values()), **values)
    return Response(body, status=status, mimetype="text/html", headers=SECURITY_HEADERS)


def explorer() -> Response:
    mock = mock_context()
    now = mock.clock.now()
    user_id = request.args.get("user", "").strip() or mock.fixtures.default_user.id
    if user_id not in mock.fixtures.users:
        known = ", ".join(mock.fixtures.users)
        return _page(
            mock,
            400,
            user_id=user_id,
            first="",
            last="",
            problem=f"Unknown user {user_id[:64]!r}; pick one of: {known}.",
        )
    today = mock.engine.today(user_id, now)
    last, problem_to = _date_arg("to", today - timedelta(days=1))
    first, problem_from = _date_arg("from", last - timedelta(days=DEFAULT_DAYS - 1))
    problem = problem_from or problem_to
    if not problem and last < first:
        problem = f"to ({last}) is before from ({first}); swap them."
    longest = mock.spec.range.longest_days
    if not problem and longest is not None and (last - first).days + 1 > longest:
        problem = f"The mock serves at most {longest} days in one query; shorten the range."
    values: dict[str, object] = {"user_id": user_id, "first": first.isoformat(), "last": last.isoformat()}
    if problem:
        return _page(mock, 400, problem=problem, **values)
    tz = mock.engine.timezone(user_id)
    start, end = local_range(tz, first, last)
    body = {"startTime": start, "endTime": end}
    dates = [d.isoformat() for d in days_in_range(start, end, tz, today)]
    panels = []
    for metric in METRICS:
        answer = answer_range(mock.engine, metric, user_id, body, now, mock.config.empty_days, mock.spec)
        items = answer.data["list"] if answer.data is not None else []
        draw = _CHARTS[metric]
        panels.append(
            Panel(metric, _TITLES[metric], Markup(draw(dates, items)), Markup(draw(dates, items, NARROW)), answer)
        )
    return _page(
        mock,
        200,
        problem="",
        profile=mock.fixtures.users[user_id],
        request_body=json.dumps(body),
        dates=dates,
        panels=panels,
        client_id=mock.fixtures.default_client.id,
        **values,
    )


HANDLERS = {"explorer": explorer}
