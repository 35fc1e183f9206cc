"""`cudis-mock serve` prints a URL and a curl command that works as pasted."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..servers import MockProcess


@pytest.fixture(scope="module")
def served() -> Iterator[list[str]]:
    """A real `cudis-mock serve --port 0` process; yields its banner lines."""
    with MockProcess.start() as mock:
        yield mock.banner.splitlines()


def test_banner_names_the_url_and_a_token(served: list[str]) -> None:
    assert served[0].startswith("cudis-mock serving the CUDIS API (V1) at http://127.0.0.1:")
    assert "(seed 42)" in served[0]
    token = served[1].rsplit(" ", 1)[-1]
    assert len(token) == 32 and token.isalnum() and token.upper() == token


def test_the_printed_curl_command_works_as_pasted(served: list[str]) -> None:
    command = next(line.strip() for line in served if line.strip().startswith("curl -s -X GET"))
    output = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True, timeout=30).stdout
    answer = json.loads(output)
    assert answer["code"] == 200 and answer["msg"] == "success"
    assert answer["data"]["list"], "the default user has data for the last week"


def test_the_printed_mint_command_works(served: list[str]) -> None:
    command = next(line for line in served if line.startswith("mint more tokens: ")).split(": ", 1)[1]
    answer = json.loads(subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True).stdout)
    assert answer["user_id"] == "athlete" and len(answer["access_token"]) == 32


def test_broken_fixtures_stop_the_server_with_a_clear_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", "--fixtures", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "personas.yaml" in result.stderr
