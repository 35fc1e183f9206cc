"""docs/proxy.md, run: record through the proxy, develop offline on the recording, and the CI check, which
passes on the mock and fails on an upstream that breaks the contract."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
from pathlib import Path

import pytest

from ..contract_tests.implementations.reference import CLIENT_ID, TOKEN, Behaviour, create_reference_app
from ..doc_examples import BIN, ROOT, section
from ..servers import MockProcess, in_thread

DOC = ROOT / "docs" / "proxy.md"
_FENCE = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
APP_TESTS = """#!/bin/sh
# Stands for the app's tests: one query to the API at $CUDIS_BASE_URL.
curl -sf -X GET "$CUDIS_BASE_URL/partner/v1/query/heart_beat" -H "Authorization: Bearer $CUDIS_TOKEN" \\
  -H "Cudis-Client-Id: $CUDIS_CLIENT_ID" -H 'Content-Type: application/json' \\
  -d '{"startTime": 1726444800, "endTime": 1726704000}' >/dev/null
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _script(title: str) -> str:
    """The section's sh blocks as one script, on free ports, its background servers stopped at the end."""
    text = DOC.read_text(encoding="utf-8")
    script = "\n".join(_FENCE.findall(section(title, text)))
    for port in ("8090", "8080", "8081"):
        free = str(_free_port())
        script = script.replace(f":{port}", f":{free}").replace(f"--port {port}", f"--port {free}")
    return "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script


def _run(title: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _script(title)],
        cwd=cwd,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_record_then_develop_offline_as_the_doc_says(mock_process: MockProcess, tmp_path: Path) -> None:
    credentials = {"CUDIS_TOKEN": mock_process.token, "CUDIS_CLIENT_ID": "cudis-wellness"}
    recorded = _run("Record once (someone with access)", tmp_path, CUDIS_UPSTREAM=mock_process.base_url, **credentials)
    assert recorded.returncode == 0, recorded.stderr
    assert '"verdict": "pass"' in recorded.stdout and "recordings.yaml" in recorded.stdout
    assert mock_process.token not in "".join(p.read_text() for p in (tmp_path / "recordings" / "staging").iterdir())

    offline = _run("Develop offline (everyone else)", tmp_path, **credentials)
    assert offline.returncode == 0, offline.stderr
    decoder = json.JSONDecoder()
    answers = [decoder.raw_decode(offline.stdout, m.start())[0] for m in re.finditer(r'\{"code":', offline.stdout)]
    upstream = subprocess.run(
        [
            *("curl", "-s", "-X", "GET", f"{mock_process.base_url}/partner/v1/query/heart_beat"),
            *("-H", f"Authorization: Bearer {mock_process.token}", "-H", "Cudis-Client-Id: cudis-wellness"),
            *("-H", "Content-Type: application/json", "-d", '{"startTime": 1726444800, "endTime": 1726704000}'),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert answers[0] == json.loads(upstream.stdout)
    assert any(answer["code"] == 40410 for answer in answers[1:])


@pytest.mark.parametrize("defect", [None, "wrong-maximum"])
def test_the_ci_check_fails_only_when_staging_breaks_the_contract(tmp_path: Path, defect: str | None) -> None:
    (tmp_path / "run-app-tests.sh").write_text(APP_TESTS)
    (tmp_path / "run-app-tests.sh").chmod(0o755)
    with in_thread(create_reference_app(Behaviour(defect=defect))) as staging:  # type: ignore[arg-type]
        ci = _run(
            "CI: the app's tests through the proxy against staging",
            tmp_path,
            CUDIS_STAGING_URL=staging,
            CUDIS_TOKEN=TOKEN,
            CUDIS_CLIENT_ID=CLIENT_ID,
        )
    journal = json.loads((tmp_path / "contract-journal.json").read_text())["requests"]
    assert len(journal) == 1
    if defect is None:
        assert ci.returncode == 0, ci.stdout + ci.stderr
    else:
        assert ci.returncode == 1, ci.stdout + ci.stderr
        assert "fail; heart.maximum-is-max-of-maxY" in ci.stdout
