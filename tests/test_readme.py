"""The README's commands work: its API examples are run against a live mock."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from mock_server.pytest_plugin import CudisMock

from .conftest import LiveMock

README = Path(__file__).resolve().parent.parent / "README.md"


def shell_blocks(section: str) -> list[str]:
    text = README.read_text()
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", body, flags=re.S)


def test_the_api_examples_answer_as_the_readme_says(live_mock: LiveMock) -> None:
    blocks = shell_blocks("The API, by example")
    assert len(blocks) == 4
    script = "\n".join(blocks).replace("BASE=http://127.0.0.1:8080", f"BASE={live_mock.base_url}")
    expected = [line.split("# ", 1)[1] for line in script.splitlines() if line.startswith("# {")]
    output = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
    assert output.returncode == 0, output.stderr
    answers = output.stdout.splitlines()
    assert len(answers) == 3
    for shown, got in zip(expected, answers, strict=True):
        assert got.startswith(shown.removesuffix("...]}}").removesuffix(",...]}}").removesuffix("[...]}}"))


def test_the_quickstart_names_both_commands() -> None:
    text = README.read_text()
    assert "make run" in text and "make test" in text


def test_the_test_control_examples_work(cudis_mock: CudisMock) -> None:
    (block,) = shell_blocks("Test control")
    script = block.replace("BASE=http://127.0.0.1:8080", f"BASE={cudis_mock.base_url}")
    output = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
    assert output.returncode == 0, output.stderr
    documents, text, decoder = [], output.stdout.strip(), json.JSONDecoder()
    while text:  # curl prints the answers back to back
        document, end = decoder.raw_decode(text)
        documents.append(document)
        text = text[end:].lstrip()
    fault, clock, moved, journal = documents
    assert (fault["id"], fault["times"]) == ("f1", 2)
    assert (clock["now"], moved["now"]) == (1767225600, 1767225600 + 2592000)
    assert journal == {"requests": []}
    assert cudis_mock.faults() == []  # the last command reset the mock
