"""The gate (`make test`) draws the same examples on every run, on any machine, CI or not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
SCHEMATHESIS_SLICES = [
    "tests/contract_tests/test_mock_conformance.py::test_mock_keeps_its_contract",
    "tests/reliability/test_negative_schemathesis.py::test_control_api_refuses_invalid_requests_clearly",
]


def test_the_gate_profile_is_loaded_and_derandomized() -> None:
    if os.environ.get("HYPOTHESIS_PROFILE", "gate") != "gate":
        return  # `make fuzz` explores on purpose
    assert settings.default.derandomize and settings.default.database is None


def _cases(tmp_path: Path, name: str, env: dict[str, str]) -> list[str]:
    log = tmp_path / f"{name}.log"
    environ = {k: v for k, v in os.environ.items() if k not in {"CI", "GITHUB_ACTIONS", "HYPOTHESIS_PROFILE"}}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.gate_caselog",
            "-k",
            "clock or heart_beat",
            *SCHEMATHESIS_SLICES,
        ],
        cwd=ROOT,
        env={**environ, "PYTHONPATH": str(ROOT), "CUDIS_CASELOG": str(log), **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return log.read_text(encoding="utf-8").splitlines()


@pytest.mark.slow
def test_every_schemathesis_test_sends_the_same_cases_on_every_run_ci_or_not(tmp_path: Path) -> None:
    here = _cases(tmp_path, "laptop", {})
    on_ci = _cases(tmp_path, "ci", {"CI": "true", "GITHUB_ACTIONS": "true"})
    assert len(here) > 50
    assert {line.split(" ", 2)[1] for line in here} >= {"/partner/v1/query/heart_beat", "/__mock__/clock"}
    assert here == on_ci
