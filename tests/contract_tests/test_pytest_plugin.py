"""`pytest --pyargs contract_tests --cudis-base-url ...`: the same suite, with pytest's output."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from .implementations.reference import CLIENT_ID, TOKEN, Behaviour

Serve = Callable[[Behaviour], AbstractContextManager[str]]


def _pytest(base_url: str, cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "pytest", "--pyargs", "contract_tests", "-p", "no:cacheprovider", "-q",
        "--cudis-base-url", base_url, "--cudis-client-id", CLIENT_ID, "--cudis-token", TOKEN,
        "--cudis-max-examples", "1", *extra,
    ]  # fmt: skip
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_a_conforming_implementation_passes_under_pytest(reference_url: str, tmp_path: Path) -> None:
    result = _pytest(reference_url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "21 passed" in result.stdout
    assert "the implementation conforms" in result.stdout
    assert "(--cudis-seed " in result.stdout and "(--seed " not in result.stdout


def test_a_broken_implementation_fails_the_matching_tests(serve_reference: Serve, tmp_path: Path) -> None:
    with serve_reference(Behaviour(defect="ignores-client-id")) as base_url:
        result = _pytest(base_url, tmp_path, "-rf")
    assert result.returncode == 1
    assert "3 failed, 18 passed" in result.stdout
    assert "FAILED test_contract.py::test_contract[heart_beat-authorization]" in result.stdout
    assert "authorization.wrong-client-id" in result.stdout


def test_without_a_base_url_it_says_what_to_pass(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "contract_tests", "-p", "no:cacheprovider", "-q"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 4
    assert "needs --cudis-base-url" in result.stderr + result.stdout
