"""`pip install cudis-mock` in a clean virtual environment: the mock alone, then the extras it names.

Installs the tree into a new venv with pip, so it needs the package index (as `make install`
does) and takes a minute or two: marked slow, out of the quick gate, run by `make test`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLEAN = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "VIRTUAL_ENV")}
"""The environment without what would import the tree (or the test run's venv) instead of the install."""


def _run(*argv: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=timeout, check=False, env=CLEAN, cwd="/"
    )


def _pip_install(venv: Path, requirement: str) -> None:
    done = _run(venv / "bin" / "python", "-m", "pip", "install", "-q", requirement, timeout=600)
    assert done.returncode == 0, done.stderr


def _banner(cudis_mock: Path) -> str:
    """The first banner line of `cudis-mock serve --port 0`, which is printed once it listens."""
    with subprocess.Popen(
        [str(cudis_mock), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=CLEAN,
        cwd="/",
    ) as server:
        assert server.stdout is not None
        try:
            return server.stdout.readline()
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.mark.slow
def test_a_clean_install_serves_and_names_the_extras_it_lacks(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    assert _run(sys.executable, "-m", "venv", venv).returncode == 0
    bin_dir = venv / "bin"
    _pip_install(venv, str(ROOT))

    where = _run(bin_dir / "python", "-c", "import mock_server; print(mock_server.__file__)")
    assert where.stdout.startswith(str(venv)), where  # the installed package, not the tree
    first = _banner(bin_dir / "cudis-mock")
    assert re.match(r"cudis-mock serving the CUDIS API \(V1\) at http://127\.0\.0\.1:\d+  \(seed 42\)$", first)
    for module in ("schemathesis", "hypothesis", "gunicorn"):
        assert _run(bin_dir / "python", "-c", f"import {module}").returncode == 1, module

    # The proxy judges with the contract suite's engine, which needs nothing beyond the base install.
    assert _run(bin_dir / "python", "-c", "import cudis_proxy.app").returncode == 0
    contract = _run(bin_dir / "cudis-contract", "run", "--base-url", "http://127.0.0.1:9")
    assert contract.returncode == 2
    assert contract.stderr.endswith("not installed): pip install 'cudis-mock[contract]'\n")
    workers = _run(bin_dir / "cudis-mock", "serve", "--workers", "2", "--port", "0")
    assert workers.returncode == 2
    assert workers.stderr.endswith("pip install 'cudis-mock[workers]'\n")

    _pip_install(venv, f"{ROOT}[contract]")
    helped = _run(bin_dir / "cudis-contract", "run", "--help")
    assert helped.returncode == 0 and "--base-url" in helped.stdout
