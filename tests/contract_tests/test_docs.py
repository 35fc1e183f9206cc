"""docs/ci.md: its workflow is valid YAML that starts the mock and runs the suite with JUnit output."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DOC = Path(__file__).resolve().parents[2] / "docs" / "ci.md"


def test_the_workflow_starts_the_mock_and_runs_the_suite_with_junit() -> None:
    block = re.search(r"```yaml\n(name: contract.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block is not None
    workflow = yaml.safe_load(block.group(1))
    steps = workflow["jobs"]["contract"]["steps"]
    commands = "\n".join(step.get("run", "") for step in steps)
    assert "cudis-mock serve --port 8080" in commands
    assert "cudis-contract run --base-url http://127.0.0.1:8080" in commands
    assert "--junit-xml reports/contract.xml" in commands
    assert any(step.get("with", {}).get("path", "").startswith("reports/contract.xml") for step in steps)
