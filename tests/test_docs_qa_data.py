"""The QA data docs work: the README's generate commands run, and docs/qa-data.md's property test passes."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

from .test_readme import README, shell_blocks

DOC = Path(__file__).resolve().parent.parent / "docs" / "qa-data.md"


def test_the_readme_generate_commands_run(tmp_path: Path) -> None:
    (block,) = shell_blocks("QA data")
    bin_dir = Path(sys.executable).parent
    script = f'export PATH="{bin_dir}:$PATH"\n' + block
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [row["date"] for row in rows] == ["2024-09-15", "2024-09-16", "2024-09-17", "2024-09-18"]
    assert rows[1]["step.y"] == "2523.0"  # the vendor page's example, as doc-example pins it
    cases = sorted((tmp_path / "edge-cases").glob("*.json"))
    assert len(cases) > 15 and (tmp_path / "edge-cases" / "README.md").is_file()
    assert json.loads(cases[0].read_text())["name"] == "empty-range"
    assert "docs/qa-data.md" in README.read_text()


def test_the_docs_property_test_example_passes() -> None:
    first = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)[0]
    exec(compile(first, str(DOC), "exec"), {"__name__": "docs_example"})


def test_the_docs_screenshot_exists() -> None:
    assert (DOC.parent / "explorer.png").stat().st_size > 10_000
