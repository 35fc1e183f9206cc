"""`cudis-contract run`: exit codes, the report a user reads, JUnit XML."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from contract_tests.cli import main
from contract_tests.runner import DEFAULT_MAX_EXAMPLES
from mock_server import MockConfig, create_app
from mock_server.context import mock_context
from mock_server.state.store import ClockState

from ..conftest import LiveMock
from ..servers import in_thread
from .implementations.reference import CLIENT_ID, EXPIRED_TOKEN, REDIRECT_URI, TOKEN, Behaviour

Serve = Callable[[Behaviour], AbstractContextManager[str]]


def _args(base_url: str, *extra: str) -> list[str]:
    fixed = ["--client-id", CLIENT_ID, "--token", TOKEN, "--max-examples", "1", "--seed", "1"]
    return ["run", "--base-url", base_url, *fixed, *extra]


def test_a_conforming_implementation_exits_0(reference_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_args(reference_url, "--expired-token", EXPIRED_TOKEN, "--seed", "7")) == 0
    out = capsys.readouterr().out
    assert "the implementation conforms (exit 0)" in out
    assert "seed 7" in out


def test_a_broken_rule_exits_1_reported_once_with_contract_answer_and_curl(
    serve_reference: Serve, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_reference(Behaviour(defect="accepts-any-token")) as base_url:
        assert main(_args(base_url)) == 1
    out = capsys.readouterr().out
    for path in ("heart_beat", "step", "sleep"):
        assert out.count(f"FAILURE authorization.wrong-token on GET /partner/v1/query/{path}") == 1
    assert "contract: a request with a token the server never issued gets 20007" in out
    assert 'got:      HTTP 200 application/json: {"code": 200' in out
    assert f"reproduce: curl -sS -i -X GET {base_url}/partner/v1/query/heart_beat" in out
    assert TOKEN not in out  # the valid token appears as ${CUDIS_TOKEN}
    assert "BREAKS THE CONTRACT (exit 1)" in out


def test_strict_fails_on_assumption_warnings(serve_reference: Serve, capsys: pytest.CaptureFixture[str]) -> None:
    with serve_reference(Behaviour(bad_input_code=10001)) as base_url:
        assert main(_args(base_url)) == 0
        assert "WARNING bad-input-codes" in capsys.readouterr().out
        assert main(_args(base_url, "--strict")) == 1
    assert "fails with --strict" in capsys.readouterr().out


def test_junit_xml_has_a_failure_per_broken_operation_and_check(serve_reference: Serve, tmp_path: Path) -> None:
    report = tmp_path / "reports" / "contract.xml"
    with serve_reference(Behaviour(defect="wrong-ratios")) as base_url:
        assert main(_args(base_url, "--junit-xml", str(report))) == 1
    suite = ET.parse(report).getroot()
    failed = [(c.get("classname"), c.get("name")) for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == [("cudis-contract.GET /partner/v1/query/sleep", "spec-rules")]
    assert suite.get("tests") == "21" and suite.get("failures") == "1"


def test_against_the_mock_it_mints_its_own_token(live_mock: LiveMock, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--base-url", live_mock.base_url, "--max-examples", "2", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "minted a token for client 'cudis-wellness'" in out


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--base-url", "http://127.0.0.1:{port}", "--token", "T", "--client-id", "C"], "cannot reach"),
        (["run", "--base-url", "127.0.0.1:8080"], "must start with http"),
        (["run", "--base-url", "{reference}", "--max-examples", "0"], "--max-examples"),
        (["run", "--base-url", "{reference}", "--rate-limit", "fast"], "--rate-limit"),
        (["run", "--base-url", "{reference}", "--token", "T"], "--client-id is required"),
        (["run", "--base-url", "{reference}"], "is not a cudis-mock"),
    ],
)
def test_usage_errors_and_unreachable_servers_exit_2(
    reference_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    port = _closed_port()
    argv = [a.format(port=port, reference=reference_url) for a in argv]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_missing_base_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Usage: cudis-contract run [OPTIONS]\n")
    assert "Error: Missing option '--base-url' (env var: 'CUDIS_CONTRACT_BASE_URL')." in err


def test_a_mistyped_flag_gets_the_usage_and_the_closest_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--base-url", "http://127.0.0.1:9", "--max-example", "3"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Usage: cudis-contract run [OPTIONS]\n")
    assert "Error: No such option '--max-example'. Did you mean '--max-examples'?" in err


def test_flags_come_from_cudis_contract_variables(
    reference_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUDIS_CONTRACT_BASE_URL", reference_url)
    monkeypatch.setenv("CUDIS_CONTRACT_TOKEN", "T")
    assert main(["run"]) == 2  # the token without its client id: the variables were read
    assert "--client-id is required" in capsys.readouterr().err
    monkeypatch.setenv("CUDIS_CONTRACT_MAX_EXAMPLES", "0")
    assert main(["run"]) == 2
    assert "Invalid value for '--max-examples' (env var: 'CUDIS_CONTRACT_MAX_EXAMPLES')" in capsys.readouterr().err


def test_help_names_the_suites_default_number_of_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"(default: the suite's, {DEFAULT_MAX_EXAMPLES})" in out
    assert "[env var: CUDIS_CONTRACT_TOKEN]" in out


# schemathesis made unimportable, as in an install without the `contract` extra.
_WITHOUT_SCHEMATHESIS = (
    "import sys; sys.modules['schemathesis'] = None; from contract_tests.cli import main; raise SystemExit(main())"
)


@pytest.mark.parametrize("argv", [["run", "--base-url", "http://127.0.0.1:9"], ["--help"]])
def test_without_the_contract_extra_it_says_what_to_install(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_SCHEMATHESIS, *argv], capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "cudis-contract needs the contract extra (schemathesis not installed): pip install 'cudis-mock[contract]'\n"
    )


@pytest.mark.parametrize("frozen", [True, False])
def test_a_mock_whose_clock_was_moved_still_conforms(frozen: bool, capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app(MockConfig())
    ahead = time.time() + 20 * 86400  # "today" is twenty days from now, by the mock's clock
    mock_context(app).store.set_clock_state(ClockState(frozen_at=ahead) if frozen else ClockState(offset=20 * 86400))
    with in_thread(app) as base_url:
        assert main(["run", "--base-url", base_url, "--max-examples", "2", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    if frozen:  # the one-second token never lapses on a frozen clock, so its probe is left out, and said so
        assert "had not lapsed yet" in out


def test_a_passing_run_says_what_it_checked_per_operation(
    reference_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(reference_url, "--expired-token", EXPIRED_TOKEN)) == 0
    out = capsys.readouterr().out
    assert "the user's days are UTC+14:00 since " in out and "(inferred from the answers)" in out
    for path in ("heart_beat", "step", "sleep"):
        line = next(line for line in out.splitlines() if line.startswith(f"  GET /partner/v1/query/{path}:"))
        assert "requests, checked schema, envelope, spec-rules, authorization, bad-input, protocol, consistency" in line


def test_a_given_time_zone_overrides_the_inference_and_a_wrong_one_is_caught(
    reference_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(reference_url, "--timezone", "+14")) == 0
    out = capsys.readouterr().out
    assert "UTC+14:00 since" in out and "(given with --timezone)" in out
    assert main(_args(reference_url, "--timezone", "-12")) == 1
    assert "in UTC-12:00" in capsys.readouterr().out
    assert main(_args(reference_url, "--timezone", "+15")) == 2


def test_refused_credentials_are_a_usage_error_with_a_hint(
    reference_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "--base-url", reference_url, "--client-id", CLIENT_ID, "--token", "NOTTHETOKEN", "--seed", "1"]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "BREAKS THE CONTRACT" not in captured.out
    assert "refused the credentials given (code 20007" in captured.err and "check --token" in captured.err


def test_the_authorize_endpoint_is_checked_with_a_redirect_uri(
    serve_reference: Serve, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_reference(Behaviour(defect="authorize-open-redirect")) as base_url:
        assert main(_args(base_url)) == 0  # without --redirect-uri the endpoint is not visited
        assert main(_args(base_url, "--redirect-uri", REDIRECT_URI)) == 1
    out = capsys.readouterr().out
    assert "FAILURE authorize.unregistered-redirect on GET /oauth/authorize" in out
