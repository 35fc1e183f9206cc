"""The README's "Getting a token" section, run: every URL, shell block and Python block in it."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from .conftest import LiveMock

README = Path(__file__).resolve().parents[1] / "README.md"
README_BASE = "http://127.0.0.1:8080"
TOKEN_IN_EXAMPLE = re.compile(r"[A-Z0-9]{32}")


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section("Getting a token"), flags=re.DOTALL)


def expected_output(block: str) -> re.Pattern[str]:
    """The block's last `# ...` comment as a pattern; any example token stands for any token."""
    comment = block.rstrip().splitlines()[-1]
    assert comment.startswith("# "), block
    return re.compile(TOKEN_IN_EXAMPLE.sub("TOKEN", re.escape(comment[2:])).replace("TOKEN", "[A-Z0-9]{32}"))


def run_shell(block: str, base: str) -> str:
    """`block` in bash against `base` (its own `BASE=` line is replaced)."""
    script = "\n".join(line for line in block.splitlines() if not line.startswith("BASE="))
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={"BASE": base, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_section_shows_a_web_app_a_mobile_app_a_ci_job_and_a_script() -> None:
    text = section("Getting a token")
    for who in ("**A web app**", "**A mobile app**", "**A CI job**", "**A script**"):
        assert who in text
    assert len(blocks("sh")) == 2 and len(blocks("python")) == 1
    assert (README.parent / "docs" / "consent-page.png").exists()


def test_every_authorize_url_in_the_section_opens_the_consent_page(client: FlaskClient) -> None:
    urls = re.findall(re.escape(README_BASE) + r"(/oauth/authorize\?[^\s`]+)", section("Getting a token"))
    assert len(urls) == 2
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        assert "wants to access your CUDIS account" in page.text


@pytest.fixture
def auto_approving_mock(tmp_path: Path) -> Iterator[str]:
    """The README's CI command, run for real on a free port; yields its base URL."""
    (line,) = [line for line in blocks("sh")[0].splitlines() if "cudis-mock serve" in line]
    assert line == ".venv/bin/cudis-mock serve --auto-approve typical &"
    command = [str(Path(sys.executable).parent / "cudis-mock"), "serve", "--auto-approve", "typical", "--port", "0"]
    with (
        (tmp_path / "stderr").open("w") as stderr,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True) as server,
    ):
        assert server.stdout is not None
        first = server.stdout.readline()  # printed once the port is bound
        match = re.search(r"at (http://127\.0\.0\.1:\d+)", first)
        assert match, (first, (tmp_path / "stderr").read_text())
        try:
            yield match.group(1)
        finally:
            server.terminate()
            server.wait(timeout=10)
            server.stdout.close()


def test_the_ci_block_gets_a_token_without_a_page(auto_approving_mock: str) -> None:
    block = blocks("sh")[0]
    without_server = "\n".join(line for line in block.splitlines() if "cudis-mock serve" not in line)
    assert expected_output(block).fullmatch(run_shell(without_server, auto_approving_mock))


def test_the_curl_block_posts_the_form_and_gets_a_token(live_mock: LiveMock) -> None:
    block = blocks("sh")[1]
    assert expected_output(block).fullmatch(run_shell(block, live_mock.base_url))


def test_the_requests_block_posts_the_form_and_gets_a_token(live_mock: LiveMock) -> None:
    block = blocks("python")[0]
    assert f'BASE = "{README_BASE}"' in block
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(block.replace(README_BASE, live_mock.base_url), {})
    assert expected_output(block).fullmatch(out.getvalue().strip())
