"""`cudis-mock`: `serve` prints a URL and a curl command that works as pasted; flags, variables and their errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path

import pytest

from mock_server.cli import main
from mock_server.config import MockConfig

from ..servers import MockProcess


@contextmanager
def banner_of(*args: str, env: dict[str, str] | None = None) -> Iterator[list[str]]:
    """A real `cudis-mock serve --port 0 ARGS` process; yields its banner lines."""
    with MockProcess.start(*args, env=env) as mock:
        yield mock.banner.splitlines()


@pytest.fixture(scope="module")
def served() -> Iterator[list[str]]:
    with banner_of() as lines:
        yield lines


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


def test_a_mistyped_flag_gets_the_usage_and_the_closest_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--seeed", "7"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Usage: cudis-mock serve [OPTIONS]\n")
    assert "Error: No such option '--seeed'. Did you mean '--seed'?" in err


def test_a_value_outside_the_choices_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--error-status", "404"]) == 2
    err = capsys.readouterr().err
    assert "Usage: cudis-mock serve [OPTIONS]" in err
    assert (
        "Invalid value for '--error-status' (env var: 'CUDIS_MOCK_ERROR_STATUS'): '404' is not one of '200', 'mapped'"
        in err
    )


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["server"]) == 2
    assert "No such command 'server'" in capsys.readouterr().err


def test_help_shows_every_setting_with_its_variable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    for field in fields(MockConfig):
        assert "--" + field.name.replace("_", "-") in out
        assert "CUDIS_MOCK_" + field.name.upper() in out


def test_an_environment_variable_sets_a_flag_and_the_flag_wins() -> None:
    with banner_of(env={"CUDIS_MOCK_SEED": "7"}) as lines:
        assert "(seed 7)" in lines[0]
    with banner_of("--seed", "9", env={"CUDIS_MOCK_SEED": "7"}) as lines:
        assert "(seed 9)" in lines[0]


def test_generate_reads_the_same_variables(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["generate", "--users", "typical", "--from", "2024-01-01", "--to", "2024-01-03", "--now", "1795089600"]
    assert main([*args, "--seed", "7"]) == 0
    seven = capsys.readouterr().out
    monkeypatch.setenv("CUDIS_MOCK_SEED", "7")
    assert main(args) == 0
    assert capsys.readouterr().out == seven
    monkeypatch.setenv("CUDIS_MOCK_SEED", "8")
    assert main(args) == 0
    assert capsys.readouterr().out != seven


def test_a_malformed_variable_is_a_usage_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUDIS_MOCK_PORT", "eighty")
    assert main(["serve"]) == 2
    assert (
        "Invalid value for '--port' (env var: 'CUDIS_MOCK_PORT'): 'eighty' is not a valid integer"
        in capsys.readouterr().err
    )


# gunicorn made unimportable, as in an install without the `workers` extra.
_WITHOUT_GUNICORN = (
    "import sys; sys.modules['gunicorn'] = None; from mock_server.cli import main; raise SystemExit(main())"
)


def test_workers_without_gunicorn_say_which_extra_to_install() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_GUNICORN, "serve", "--workers", "2", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "cudis-mock: --workers 2 serves through gunicorn, which is not installed: pip install 'cudis-mock[workers]'\n"
    )
