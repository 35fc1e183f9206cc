"""docs/security.md's commands work as written: each names tests that exist (collected, not run twice:
`make test` runs them)."""

from __future__ import annotations

import re
import sys

import pytest

from .doc_examples import _FENCE, ROOT, run_shell, section

DOC = ROOT / "docs" / "security.md"


def _commands() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    found = [body for lang, body in _FENCE.findall(section("Reproduce", text)) if lang == "sh"]
    return [line.split("#", 1)[0].strip() for block in found for line in block.splitlines() if line.strip()]


def test_the_doc_has_commands() -> None:
    assert len(_commands()) == 3


@pytest.mark.parametrize("command", _commands())
def test_each_command_collects_its_tests(command: str) -> None:
    assert command.startswith(".venv/bin/python -m pytest ")
    local = command.replace(".venv/bin/python", sys.executable, 1)
    result = run_shell(f"{local} --collect-only -q -p no:cacheprovider", cwd=ROOT)
    collected = re.search(r"(\d+) tests? collected", result.stdout)
    assert collected and int(collected.group(1)) > 0, result.stdout[-500:]
