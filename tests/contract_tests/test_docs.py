"""docs/ci.md: its GitHub Actions workflow, run: the mock started as the workflow starts it, the suite's
command as written against it, and the report where the upload step looks for it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..doc_examples import BIN, ROOT, junit_totals, run_shell
from ..servers import MockProcess

DOC = ROOT / "docs" / "ci.md"


def workflow() -> dict[str, Any]:
    block = re.search(r"```yaml\n(name: contract.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block is not None, "docs/ci.md has no workflow named contract"
    return dict(yaml.safe_load(block.group(1)))


def step(steps: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (found,) = [s for s in steps if s.get("name") == name]
    return found


@pytest.mark.slow
def test_the_workflow_runs_the_suite_against_the_mock_and_keeps_its_report(tmp_path: Path) -> None:
    steps = workflow()["jobs"]["contract"]["steps"]
    # "Start the mock": its first line, on a free port instead of 8080 (the banner is the wait,
    # in place of the step's curl loop), its output in mock.log as the step redirects it.
    serve = step(steps, "Start the mock")["run"].splitlines()[0]
    argv = shlex.split(serve.split(">", 1)[0])
    assert argv[:2] == [".venv/bin/cudis-mock", "serve"] and argv[-2:] == ["--port", "8080"], argv
    command = [str(BIN / "cudis-mock"), *argv[1:-2], "--port", "0"]
    with MockProcess.start(command=command, log=tmp_path / "mock.log") as mock:
        suite = step(steps, "Contract suite")["run"].replace(".venv/bin/", f"{BIN}/")
        run_shell(suite, mock.base_url, cwd=tmp_path, timeout=600)
    uploaded = step(steps, "Publish the report")["with"]["path"].split()
    assert all((tmp_path / path).is_file() for path in uploaded), uploaded
    tests, failed = junit_totals(tmp_path / "reports" / "contract.xml")
    assert tests > 0 and failed == 0, (tests, failed)
