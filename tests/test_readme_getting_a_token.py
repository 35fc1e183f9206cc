"""The README's "Getting a token" section, run: every URL, shell block and Python block in it."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from .conftest import LiveMock
from .doc_examples import BIN, EXAMPLE_BASE, blocks, run_shell
from .servers import MockProcess

TOKEN_IN_EXAMPLE = re.compile(r"[A-Z0-9]{32}")
SECOND_PORT = 8081
"""The CI block's second mock, beside the Quickstart's on 8080."""


def token_blocks(lang: str) -> list[str]:
    return blocks("Getting a token", lang)


def expected_output(block: str) -> re.Pattern[str]:
    """The block's last `# ...` comment as a pattern; any example token stands for any token."""
    comment = block.rstrip().splitlines()[-1]
    assert comment.startswith("# "), block
    return re.compile(TOKEN_IN_EXAMPLE.sub("TOKEN", re.escape(comment[2:])).replace("TOKEN", "[A-Z0-9]{32}"))


def test_every_authorize_url_in_the_section_opens_the_consent_page(client: FlaskClient) -> None:
    urls = [block.strip().removeprefix(EXAMPLE_BASE) for block in token_blocks("")]
    assert len(urls) == 2 and all(url.startswith("/oauth/authorize?") for url in urls), urls
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        assert "wants to access your CUDIS account" in page.text


@pytest.fixture
def auto_approving_mock() -> Iterator[str]:
    """The README's CI command, run for real on a free port; yields its base URL."""
    (line,) = [line for line in token_blocks("sh")[0].splitlines() if "cudis-mock serve" in line]
    assert line == f".venv/bin/cudis-mock serve --port {SECOND_PORT} --auto-approve typical &"
    command = [str(BIN / "cudis-mock"), *shlex.split(line.removesuffix("&"))[1:], "--port", "0"]
    with MockProcess.start(command=command) as mock:
        yield mock.base_url


def test_the_ci_block_gets_a_token_without_a_page(auto_approving_mock: str) -> None:
    """On its own port, not the Quickstart's: the block runs beside `make run` (test_readme_as_pasted)."""
    block = token_blocks("sh")[0]
    assert EXAMPLE_BASE not in block
    without_server = "\n".join(
        line for line in block.splitlines() if "cudis-mock serve" not in line and "kill" not in line
    )
    second = f"http://127.0.0.1:{SECOND_PORT}"
    assert second in without_server
    got = run_shell(without_server.replace(second, auto_approving_mock)).stdout.strip()
    assert expected_output(block).fullmatch(got)


def test_the_curl_block_posts_the_form_and_gets_a_token(live_mock: LiveMock) -> None:
    block = token_blocks("sh")[1]
    assert expected_output(block).fullmatch(run_shell(block, live_mock.base_url).stdout.strip())


def test_the_requests_block_posts_the_form_and_gets_a_token(live_mock: LiveMock) -> None:
    (block,) = token_blocks("python")
    assert f'BASE = "{EXAMPLE_BASE}"' in block
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(block.replace(EXAMPLE_BASE, live_mock.base_url), {})
    assert expected_output(block).fullmatch(out.getvalue().strip())
