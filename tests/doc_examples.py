"""What the tests of the docs share: the README's fenced blocks by section, a shell to run them in, JUnit totals."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLE_BASE = "http://127.0.0.1:8080"
"""Where the README's examples expect the mock; a test runs them against its own."""
BIN = Path(sys.executable).parent
"""The environment running the tests: its `cudis-mock`, `cudis-contract` and `pytest` stand for the README's."""

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def section(title: str, text: str | None = None) -> str:
    """The body of the `## title` section of the README (or of `text`)."""
    text = README.read_text(encoding="utf-8") if text is None else text
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def blocks(title: str, lang: str = "sh") -> list[str]:
    """The fenced blocks of one language (`""` for a block without one) in a section, in order."""
    return [body for found, body in _FENCE.findall(section(title)) if found == lang]


def every_block() -> set[tuple[str, str, int]]:
    """(section, language, index within both) of every fenced block in the README."""
    found: set[tuple[str, str, int]] = set()
    for title in re.findall(r"^## (.+)$", README.read_text(encoding="utf-8"), flags=re.M):
        counts: dict[str, int] = {}
        for lang, _body in _FENCE.findall(section(title)):
            found.add((title, lang, counts.get(lang, 0)))
            counts[lang] = counts.get(lang, 0) + 1
    return found


def run_shell(
    script: str, base: str | None = None, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`script` in `bash -euo pipefail`, the README's base URL replaced by `base`, in the checkout or in `cwd`
    laid out like one (`.venv` there is this environment, as `make install` leaves it). The PATH is the
    caller's: a command the README shows must be one a newcomer can run (`.venv/bin/cudis-mock`).
    Fails the test if it does not exit 0."""
    if base is not None:
        script = script.replace(EXAMPLE_BASE, base)
    if cwd is not None and not (cwd / ".venv").exists():
        (cwd / ".venv").symlink_to(BIN.parent)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{script}\n{result.stdout}\n{result.stderr}"
    return result


def junit_totals(path: Path) -> tuple[int, int]:
    """(tests, failures and errors) of a JUnit XML report, one suite or many."""
    root = ElementTree.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    tests = sum(int(s.get("tests", 0)) for s in suites)
    return tests, sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
