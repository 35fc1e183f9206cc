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


def sh_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


FULL_SIZE = "--population 10000 --from 2025-01-01 --to 2025-12-31"
"""Minutes of CPU: `make bench-generate` runs this size; the gate runs the other commands as printed."""


def test_the_docs_generate_commands_run_as_printed(tmp_path: Path) -> None:
    first, edge_cases = sh_blocks()
    commands = [line for line in first.splitlines() if FULL_SIZE not in line]
    assert len(commands) == 2
    run_shell("\n".join(commands), cwd=tmp_path)
    september = [json.loads(line) for line in (tmp_path / "sept.ndjson").read_text().splitlines()]
    # 1 September 2024 in each user's own time zone, UTC+14 to UTC-12.
    assert {r["request"]["startTime"] for r in september} <= set(
        range(1725148800 - 14 * 3600, 1725148800 + 12 * 3600 + 1)
    )
    assert {r["operation"] for r in september} == {
        "queryHeartBeat",
        "queryStep",
        "querySleep",
    }
    year = list(csv.DictReader(io.StringIO((tmp_path / "year.csv").read_text())))
    assert {row["user_id"] for row in year} == {"typical", "athlete"}
    out = run_shell(edge_cases, cwd=tmp_path).stdout
    assert (tmp_path / "edge-cases" / "README.md").is_file()
    names = [json.loads(line)["name"] for line in out.splitlines()]
    assert len(names) > 15 and names[0] == "empty-range"


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
