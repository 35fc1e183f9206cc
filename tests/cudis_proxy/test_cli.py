"""`cudis-mock proxy` as a command: it listens, says where, forwards; a setting it cannot use is exit 2."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server.cli import main

from ..servers import MockProcess
from .conftest import last_days, query

PROXY = (sys.executable, "-m", "mock_server.cli", "proxy", "--port", "0")


def test_the_command_serves_the_proxy_and_prints_where(mock_process: MockProcess, tmp_path: Path) -> None:
    with subprocess.Popen(
        [*PROXY, "--upstream", mock_process.base_url, "--record", str(tmp_path / "rec")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            found = re.match(r"cudis-mock proxy at (http://\S+) -> (\S+)$", first.strip())
            assert found and found.group(2) == mock_process.base_url, first
            answer = query(found.group(1), "step", last_days(3), mock_process.token, "cudis-wellness")
            assert answer.status_code == 200 and answer.headers["X-Cudis-Contract"] == "pass"
            assert (tmp_path / "rec" / "recordings.yaml").is_file()
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--upstream", "api.cudis.example"], "--upstream: 'api.cudis.example' must start with http:// or https://"),
        (["--upstream", "http://127.0.0.1:9", "--upstream-timeout", "0"], "--upstream-timeout must be more than 0"),
        (["--upstream", "http://127.0.0.1:9", "--record", "x", "--record-user", "a b"], "--record-user: 'a b'"),
    ],
)
def test_a_setting_it_cannot_use_is_exit_2_with_a_reason(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["proxy", "--port", "0", *args]) == 2
    assert says in capsys.readouterr().err


def test_serve_has_replay_only_with_its_variable() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_server.cli", "serve", "--help"], capture_output=True, text=True, check=True
    )
    assert "--replay-only" in result.stdout and "CUDIS_MOCK_REPLAY_ONLY" in result.stdout
