"""`GET /`: the first URL anyone opens says what the mock serves and where to start."""

from __future__ import annotations

import re
import subprocess
from html import unescape

import requests
from flask.testing import FlaskClient

from ...conftest import LiveMock


def test_the_index_is_a_short_html_page_with_where_to_start(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    for path in ("/partner/v1/query/heart_beat", "/partner/v1/query/step", "/partner/v1/query/sleep"):
        assert f"<code>GET {path}</code>" in text
    consent = unescape(re.search(r'id="consent" href="([^"]+)"', text).group(1))  # type: ignore[union-attr]
    assert client.get(consent).status_code == 200  # the consent page opens
    explorer = re.search(r'id="explorer" href="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    assert client.get(explorer).status_code == 200
    assert "README.md" in text


def test_json_when_asked_for_it(client: FlaskClient) -> None:
    index = client.get("/", headers={"Accept": "application/json"})
    assert index.mimetype == "application/json"
    assert [e["path"] for e in index.json["endpoints"]] == [  # type: ignore[index]
        "/partner/v1/query/heart_beat",
        "/partner/v1/query/step",
        "/partner/v1/query/sleep",
    ]
    assert client.get(index.json["consent_page"]).status_code == 200  # type: ignore[index]


def test_the_mint_command_it_shows_mints_a_token(live_mock: LiveMock) -> None:
    index = requests.get(live_mock.base_url + "/", headers={"Accept": "application/json"}, timeout=10).json()
    assert index["mint_token"].startswith(f"curl -s -X POST {live_mock.base_url}/__mock__/tokens ")
    minted = subprocess.run(["bash", "-c", index["mint_token"]], capture_output=True, text=True, check=True)
    assert re.fullmatch(r'\{"access_token":"[A-Z0-9]{32}".*', minted.stdout.strip())
