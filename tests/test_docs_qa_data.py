"""The QA data docs work: the README's generate commands run, and docs/qa-data.md's property tests pass."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from .conftest import LiveMock
from .doc_examples import EXAMPLE_BASE, ROOT, blocks, run_shell

DOC = ROOT / "docs" / "qa-data.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_generate_commands_run(tmp_path: Path) -> None:
    (block,) = blocks("QA data")
    done = run_shell(block, cwd=tmp_path)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [row["date"] for row in rows] == ["2024-09-15", "2024-09-16", "2024-09-17", "2024-09-18"]
    assert rows[1]["step.y"] == "2523.0"  # the vendor page's example, as doc-example pins it
    cases = sorted((tmp_path / "edge-cases").glob("*.json"))
    assert len(cases) > 15 and (tmp_path / "edge-cases" / "README.md").is_file()
    assert json.loads(cases[0].read_text())["name"] == "empty-range"


def test_the_docs_property_test_of_a_parser_passes() -> None:
    first = python_blocks()[0]
    exec(compile(first, str(DOC), "exec"), {"__name__": "docs_example"})


def test_the_docs_property_test_against_the_running_mock_passes(live_mock: LiveMock) -> None:
    second = python_blocks()[1]
    assert 'BASE, TOKEN = "http://127.0.0.1:8080", "..."' in second
    token = live_mock.mint(user_id="typical")
    namespace: dict[str, object] = {"__name__": "docs_example"}
    exec(compile(second.replace(EXAMPLE_BASE, live_mock.base_url), str(DOC), "exec"), namespace)
    namespace["TOKEN"] = token  # the doc's "a token from POST /__mock__/tokens"
    (test,) = [value for name, value in namespace.items() if name.startswith("test_") and callable(value)]
    test()
