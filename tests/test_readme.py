"""The README's commands work: every fenced block in it is run by a test, against a live mock."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from mock_server.pytest_plugin import CudisMock

from .conftest import LiveMock
from .doc_examples import BIN, EXAMPLE_BASE, ROOT, blocks, every_block, junit_totals, run_shell
from .servers import MockProcess

HERE, TOKENS, QA = "tests.test_readme", "tests.test_readme_getting_a_token", "tests.test_docs_qa_data"
PASTED = "tests.test_readme_as_pasted"
"""Runs every block but the Quickstart's, Development's and the contract suite's in order, as printed."""
SUITE = "Contract suite: check any implementation"
GATE = ("the gate", ".ci/run")
"""`make test` in the Quickstart, and the Development block: CI runs `.ci/run` (make lint, make test), and a
test that ran `make test` would run itself."""

RUN_BY: dict[tuple[str, str, int], tuple[str, str]] = {
    ("Quickstart", "sh", 0): (HERE, "test_make_run_serves_and_its_curl_command_answers"),
    ("Quickstart", "", 0): (HERE, "test_make_run_serves_and_its_curl_command_answers"),
    ("Getting a token", "", 0): (TOKENS, "test_every_authorize_url_in_the_section_opens_the_consent_page"),
    ("Getting a token", "", 1): (TOKENS, "test_every_authorize_url_in_the_section_opens_the_consent_page"),
    ("Getting a token", "sh", 0): (TOKENS, "test_the_ci_block_gets_a_token_without_a_page"),
    ("Getting a token", "sh", 1): (TOKENS, "test_the_curl_block_posts_the_form_and_gets_a_token"),
    ("Getting a token", "python", 0): (TOKENS, "test_the_requests_block_posts_the_form_and_gets_a_token"),
    ("Getting a token", "sh", 2): (PASTED, "test_the_readme_pasted_in_order_runs_as_printed"),
    ("The API, by example", "sh", 0): (HERE, "test_the_api_examples_answer_as_the_readme_says"),
    ("The API, by example", "sh", 1): (HERE, "test_the_api_examples_answer_as_the_readme_says"),
    ("The API, by example", "sh", 2): (HERE, "test_the_api_examples_answer_as_the_readme_says"),
    ("The API, by example", "sh", 3): (HERE, "test_the_api_examples_answer_as_the_readme_says"),
    ("QA data", "sh", 0): (QA, "test_the_readme_generate_commands_run"),
    ("Test control", "sh", 0): (HERE, "test_the_test_control_examples_work"),
    (SUITE, "sh", 0): (HERE, "test_the_contract_suite_commands_pass_against_the_mock"),
    ("Development", "sh", 0): GATE,
}
"""Which test runs each fenced block of the README."""


def test_every_block_of_the_readme_is_run_by_a_test() -> None:
    """A block added to the README without a test that runs it (or one removed) fails here."""
    assert every_block() == set(RUN_BY), "give each new block a test, and list it in RUN_BY"
    for module, name in set(RUN_BY.values()) - {GATE}:
        assert callable(getattr(importlib.import_module(module), name, None)), f"{module}::{name} does not exist"


def _commands(block: str) -> list[str]:
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]


_SHOWN = re.compile(r"(http://127\.0\.0\.1:8080|[A-Z0-9]{32}|[A-Z0-9]{4}\.\.\.|\.\.\.)")


def _as_pattern(shown: str) -> re.Pattern[str]:
    """A line the README shows, as a pattern: any port for 8080, any token for the example's, `...` for the rest."""
    pattern = ""
    for i, piece in enumerate(_SHOWN.split(shown)):
        if i % 2 == 0:
            pattern += re.escape(piece)
        elif piece.startswith("http"):
            pattern += r"http://127\.0\.0\.1:\d+"
        elif len(piece) == 32:
            pattern += "[A-Z0-9]{32}"
        else:  # an elided token (`76U6...`) or any elided rest
            pattern += "[A-Z0-9]{4}.*" if len(piece) == 7 else ".*"
    return re.compile(pattern)


def test_make_run_serves_and_its_curl_command_answers(tmp_path: Path) -> None:
    (block,) = blocks("Quickstart")
    assert _commands(block) == ["make run", "make test"]
    (shown,) = blocks("Quickstart", "")
    # `make run` as the README has it, in this environment: its venv in place of .venv (installed already,
    # so a fresh stamp), and a free port through ARGS, which the README says passes flags through.
    stamp = tmp_path / "installed-stamp"
    stamp.touch()
    command = ["make", "run", f"VENV={BIN.parent}", f"STAMP={stamp}", "ARGS=--port 0"]
    with MockProcess.start(command=command, cwd=ROOT) as mock:
        printed = mock.banner.splitlines()
        for line in shown.strip("\n").splitlines():
            assert any(_as_pattern(line).fullmatch(got) for got in printed), (line, printed)
        assert "(seed 42)" in printed[0]
        # "Paste the printed curl command: it answers the success envelope for the last seven days."
        curl = next(line.strip() for line in printed if line.strip().startswith("curl "))
        answer = json.loads(run_shell(curl).stdout)
        assert (answer["code"], answer["msg"]) == (200, "success")
        assert 1 <= len(answer["data"]["list"]) <= 7


def test_the_api_examples_answer_as_the_readme_says(live_mock: LiveMock) -> None:
    script = "\n".join(blocks("The API, by example"))
    expected = [line.split("# ", 1)[1] for line in script.splitlines() if line.startswith("# {")]
    answers = run_shell(script, live_mock.base_url).stdout.splitlines()
    assert len(answers) == len(expected) == 3
    for shown, got in zip(expected, answers, strict=True):
        assert got.startswith(shown.removesuffix("...]}}").removesuffix(",...]}}").removesuffix("[...]}}"))


def test_the_test_control_examples_work(cudis_mock: CudisMock) -> None:
    (block,) = blocks("Test control")
    output = run_shell(block, cudis_mock.base_url).stdout
    documents, text, decoder = [], output.strip(), json.JSONDecoder()
    while text:  # curl prints the answers back to back
        document, end = decoder.raw_decode(text)
        documents.append(document)
        text = text[end:].lstrip()
    fault, clock, moved, journal = documents
    assert (fault["id"], fault["times"]) == ("f1", 2)
    assert (clock["now"], moved["now"]) == (1767225600, 1767225600 + 2592000)
    assert journal == {"requests": []}
    assert cudis_mock.faults() == []  # the last command reset the mock


@pytest.mark.slow
def test_the_contract_suite_commands_pass_against_the_mock(live_mock: LiveMock, tmp_path: Path) -> None:
    """Each command as shown, against the mock: URL, ID and TOKEN are its address and a token it minted."""
    (block,) = blocks(SUITE)
    commands = _commands(block)
    assert [c.split()[0] for c in commands] == [
        ".venv/bin/cudis-contract",
        ".venv/bin/cudis-contract",
        ".venv/bin/pytest",
    ]
    token = live_mock.mint(user_id="typical", client_id="cudis-wellness")
    for command in commands:
        filled = command.replace("URL", EXAMPLE_BASE).replace("ID", "cudis-wellness").replace("TOKEN", token)
        # Pinned to a seed (a documented flag), so that the gate draws the same requests on every run.
        filled += " --cudis-seed 1" if filled.startswith(".venv/bin/pytest ") else " --seed 1"
        run_shell(filled, live_mock.base_url, cwd=tmp_path, timeout=600)  # exit 0: the mock conforms
    tests, failed = junit_totals(tmp_path / "contract.xml")
    assert tests > 0 and failed == 0, (tests, failed)
