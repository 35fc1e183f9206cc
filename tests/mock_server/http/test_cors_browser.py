"""CORS from a real page: Chromium on one origin fetches the mock on another, as a browser app does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_server.pytest_plugin import CudisMock

from ...servers import static_site

pytestmark = pytest.mark.browser

SPA = Path(__file__).resolve().parents[3] / "examples" / "spa"
QUERY = "/partner/v1/query/{}?startTime=1726358400&endTime=1726704000"

# The answer as the page's script sees it: its status and body, or the error fetch threw.
FETCH = """
const [url, init, done] = arguments;
fetch(url, init)
  .then(async (r) => done({status: r.status, body: await r.text(), reason: r.headers.get("X-Cudis-Mock-Reason")}))
  .catch((e) => done({error: String(e)}));
"""


@pytest.fixture(scope="module")
def page_port() -> Iterator[int]:
    with static_site(SPA) as port:
        yield port


def _fetch(browser: Any, url: str, **init: Any) -> dict[str, Any]:
    return dict(browser.execute_async_script(FETCH, url, init))


@pytest.mark.parametrize("metric", ["heart_beat", "step", "sleep"])
def test_a_page_on_another_origin_reads_each_query_endpoint(
    browser: Any, cudis_mock: CudisMock, page_port: int, metric: str
) -> None:
    browser.get(f"http://localhost:{page_port}/")
    token = cudis_mock.mint_token(user_id="doc-example", client_id="local-dev")
    # Authorization and Cudis-Client-Id are not CORS-safelisted: Chromium sends a preflight first.
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "local-dev", "Content-Type": "application/json"}
    answer = _fetch(browser, cudis_mock.base_url + QUERY.format(metric), headers=headers)
    assert answer.get("status") == 200, answer
    assert answer["body"].startswith('{"code":200,"msg":"success","data":{')
    seen = [(r["method"], r["path"]) for r in cudis_mock.requests()]
    assert ("OPTIONS", f"/partner/v1/query/{metric}") in seen and ("GET", f"/partner/v1/query/{metric}") in seen

    refused = _fetch(browser, cudis_mock.base_url + QUERY.format(metric), headers={"Cudis-Client-Id": "local-dev"})
    assert refused.get("status") == 200 and '"code":20007' in refused["body"]
    assert refused["reason"] == "unknown, revoked or missing access token"  # exposed to the page


@pytest.mark.parametrize(
    ("path", "init"),
    [
        ("/__mock__/users", {}),
        ("/__mock__/requests", {}),
        ("/__mock__/tokens", {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": "{}"}),
        ("/__mock__/reset", {"method": "POST"}),
        ("/__mock__/clock/advance", {"method": "POST", "body": '{"seconds": 60}'}),
    ],
)
def test_a_page_on_another_origin_cannot_read_the_control_api(
    browser: Any, cudis_mock: CudisMock, page_port: int, path: str, init: dict[str, Any]
) -> None:
    browser.get(f"http://localhost:{page_port}/")
    answer = _fetch(browser, cudis_mock.base_url + path, **init)
    assert answer == {"error": "TypeError: Failed to fetch"}
