"""The banner: its curl command works as printed against a running mock, whatever the URL holds."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask

from mock_server import MockConfig, create_app
from mock_server.context import mock_context
from mock_server.serving.banner import DAY, announce, curl_command, exposure_warning
from mock_server.state import ClockState

from ...conftest import FIXED_NOW
from ...servers import MockProcess, in_thread


def banner_lines(app: Flask, config: MockConfig, port: int, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """What `announce` prints, which ends with a blank line (what launchers wait for), without it."""
    announce(mock_context(app), config, port)
    out = capsys.readouterr().out
    assert out.endswith("\n\n") and not out.endswith("\n\n\n")
    return out.removesuffix("\n\n").splitlines()


def test_the_announced_curl_command_works_as_printed(capsys: pytest.CaptureFixture[str]) -> None:
    config = MockConfig()
    app = create_app(config)
    with in_thread(app) as base_url:
        lines = banner_lines(app, config, urlsplit(base_url).port or 80, capsys)
        assert lines[0].startswith(f"cudis-mock serving the CUDIS API (V1) at {base_url}")
        command = next(line.strip() for line in lines if line.strip().startswith("curl -s -X GET"))
        output = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True, timeout=30)
    answer = json.loads(output.stdout)
    assert answer["code"] == 200
    assert len(answer["data"]["list"]) >= 6  # the default user's last week


def test_the_command_asks_for_the_week_before_the_mocks_clock_with_the_printed_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = MockConfig()
    app = create_app(config)
    mock_context(app).store.set_clock_state(ClockState(frozen_at=FIXED_NOW))
    lines = banner_lines(app, config, 8123, capsys)
    token = lines[1].rsplit(" ", 1)[-1]
    words = shlex.split(next(line for line in lines if line.strip().startswith("curl")))
    assert json.loads(words[words.index("-d") + 1]) == {"startTime": FIXED_NOW - 7 * DAY, "endTime": FIXED_NOW}
    assert f"Authorization: Bearer {token}" in words and "Cudis-Client-Id: cudis-wellness" in words
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    body = {"startTime": FIXED_NOW - 7 * DAY, "endTime": FIXED_NOW}
    assert app.test_client().get("/partner/v1/query/step", json=body, headers=headers).json["code"] == 200  # type: ignore[index]


def test_a_url_with_shell_characters_reaches_curl_as_one_argument() -> None:
    url = "http://host:1/it's here;rm -rf $HOME"
    words = shlex.split(curl_command(url, "TOKEN", "client id", 1000.0, metric="sleep"))
    assert f"{url}/partner/v1/query/sleep" in words
    assert "Cudis-Client-Id: client id" in words


def test_an_ipv6_host_is_bracketed_in_every_url(capsys: pytest.CaptureFixture[str]) -> None:
    config = MockConfig(host="::1")
    lines = banner_lines(create_app(config), config, 8123, capsys)
    assert " at http://[::1]:8123 " in lines[0]
    assert all("[::1]:8123" in line for line in lines if "http" in line)


@pytest.mark.parametrize(
    ("settings", "last_line"),
    [
        ({}, None),
        ({"workers": 3}, "(3 workers, shared temporary state)"),
        ({"state": "STATE"}, "(state in {state})"),
        ({"workers": 2, "state": "STATE"}, "(2 workers, state in {state})"),
    ],
)
def test_the_last_line_says_where_the_state_is(
    settings: dict[str, object], last_line: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.sqlite"
    config = MockConfig(**{k: (str(state) if v == "STATE" else v) for k, v in settings.items()})  # type: ignore[arg-type]
    lines = banner_lines(create_app(config), config, 8123, capsys)
    if last_line is None:
        assert lines[-1].startswith("mint more tokens: ")
    else:
        assert lines[-1] == last_line.format(state=state)


@pytest.mark.parametrize(
    ("host", "admin_token", "warned"),
    [
        ("0.0.0.0", None, True),
        ("::", None, True),
        ("192.0.2.7", None, True),
        ("0.0.0.0", "t", False),
        ("127.0.0.1", None, False),
        ("::1", None, False),
        ("localhost", None, False),
    ],
)
def test_a_bind_beyond_loopback_without_an_admin_token_is_warned_of(
    host: str, admin_token: str | None, warned: bool
) -> None:
    warning = exposure_warning(MockConfig(host=host, admin_token=admin_token))
    assert (warning is not None) == warned
    if warning:
        assert "--admin-token" in warning and "reverse proxy" in warning and host in warning


def test_serve_on_every_interface_prints_the_warning_and_still_answers_its_banner_url() -> None:
    with MockProcess.start("--host", "0.0.0.0") as served:
        response = requests.get(served.base_url + "/__mock__/clock", timeout=10)
        assert response.status_code == 200
        served.stop()
        assert "warning: --host 0.0.0.0 listens beyond this machine without --admin-token" in served.log_text()
