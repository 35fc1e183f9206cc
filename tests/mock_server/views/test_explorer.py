"""The explorer page: it shows the endpoints' exact answers, escapes every value and loads nothing from elsewhere."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_server.qa.charts import heart_chart, sleep_chart, step_chart


def test_the_page_shows_each_endpoints_exact_body(client: FlaskClient, mint: Callable[..., str]) -> None:
    page = client.get("/__mock__/explorer?user=doc-example&from=2024-09-15&to=2024-09-18")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {mint(user_id='doc-example')}", "Cudis-Client-Id": "cudis-wellness"}
    for metric in ("heart_beat", "step", "sleep"):
        shown = re.search(rf'<pre class="json" id="json-{metric}">(.*?)</pre>', text, flags=re.S)
        assert shown is not None
        served = client.get(
            f"/partner/v1/query/{metric}", json={"startTime": 1726358400, "endTime": 1726704000}, headers=headers
        )
        assert html.unescape(shown.group(1)) == served.get_data(as_text=True)
    # Each chart is drawn twice: for a wide screen and for a phone (the page shows one of them).
    assert text.count('class="step-bar"') == 2 * 3
    assert text.count('class="hr-band"') == 2 * 1
    assert text.count('class="sleep-deep"') == 2 * 3
    assert text.count('viewBox="0 0 960 220"') == text.count('viewBox="0 0 400 220"') == 3


def test_security_headers_and_no_external_loads(client: FlaskClient) -> None:
    page = client.get("/__mock__/explorer")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    text = page.get_data(as_text=True)
    assert "<script" not in text
    assert not re.search(r'(src|href)="(https?:)?//', text)


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("user=nobody", "Unknown user &#39;nobody&#39;; pick one of: typical"),
        ("from=2024-02-30", "from &#39;2024-02-30&#39; is not a date"),
        ("from=2024-03-10&to=2024-03-01", "to (2024-03-01) is before from (2024-03-10); swap them."),
        ("from=2000-01-01&to=2024-03-01", "at most 3660 days"),
    ],
)
def test_bad_input_gets_a_400_page_saying_what_to_fix(client: FlaskClient, query: str, problem: str) -> None:
    page = client.get(f"/__mock__/explorer?{query}")
    assert page.status_code == 400
    assert problem in page.get_data(as_text=True)


def test_every_value_is_escaped(client: FlaskClient) -> None:
    hostile = "<script>alert(1)</script>"
    page = client.get("/__mock__/explorer", query_string={"user": hostile, "from": hostile})
    text = page.get_data(as_text=True)
    assert hostile not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    svg = step_chart(["<b>"], [{"date": "<b>", "y": 5.0}])
    assert "<b>" not in svg and "&lt;b&gt;" in svg


def test_the_default_range_is_the_last_30_complete_days(client: FlaskClient, freeze: Callable[..., float]) -> None:
    today = datetime.fromtimestamp(freeze(), ZoneInfo("America/New_York")).date()
    text = client.get("/__mock__/explorer?user=typical").get_data(as_text=True)
    assert f'name="from" id="from" value="{today - timedelta(days=30)}"' in text
    assert f'name="to" id="to" value="{today - timedelta(days=1)}"' in text


def test_the_charts_leave_gaps_where_nothing_was_recorded() -> None:
    dates = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]
    heart = [{"date": d, "maxY": 120.0, "minY": 60.0} for d in ("2024-01-01", "2024-01-02", "2024-01-04")]
    assert heart_chart(dates, heart).count('class="hr-band"') == 2  # a run of two days, then one day
    assert heart_chart(dates, []).count('class="hr-band"') == 0
    nights = [{"date": "2024-01-03", "deepY": 0, "shallowY": 400, "awakeY": 30}]
    svg = sleep_chart(dates, nights)
    assert svg.count('class="sleep-shallow"') == 1 and 'height="0.0"' in svg  # deep 0 is drawn flat


def test_the_operation_is_in_the_control_spec(app: Flask) -> None:
    from mock_server.context import mock_context

    op = mock_context(app).spec.operations["explorer"]
    assert (op.method, op.path, op.document) == ("GET", "/__mock__/explorer", "admin")
