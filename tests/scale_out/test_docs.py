"""docs/scale-out.md: every command it shows, run (`make cluster` in test_cluster.py)."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.doc_examples import BIN, ROOT, run_shell
from tests.servers import MockProcess

from .conftest import query

DOC = ROOT / "docs" / "scale-out.md"
SERVE = ".venv/bin/cudis-mock serve --state redis://127.0.0.1:6379/0"
MAKE_CLUSTER = "make cluster"
MEASURE = ".venv/bin/python -m scale_out.measure --duration 15"


def shell_blocks() -> list[str]:
    return [body.strip() for body in re.findall(r"^```sh\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.S | re.M)]


def test_every_command_of_the_doc_is_one_these_tests_run() -> None:
    assert shell_blocks() == [SERVE, MAKE_CLUSTER, MEASURE]


def test_serving_with_the_state_in_redis_as_the_doc_shows(redis_url: str) -> None:
    argv = shlex.split(SERVE.replace("redis://127.0.0.1:6379/0", redis_url))
    with MockProcess.start("--port", "0", command=[str(BIN / argv[0].removeprefix(".venv/bin/")), *argv[1:]]) as mock:
        assert f"(state in {redis_url})" in mock.banner
        assert query(mock.base_url, mock.token).json()["code"] == 200
        # The same through CUDIS_MOCK_STATE: a second process, the same mock.
        with MockProcess.start(
            "--port", "0", command=[str(BIN / "cudis-mock"), "serve"], env={"CUDIS_MOCK_STATE": redis_url}
        ) as other:
            assert query(other.base_url, mock.token).json()["code"] == 200


@pytest.mark.slow
def test_the_measuring_command_prints_the_table_of_the_doc() -> None:
    script = MEASURE.replace(".venv/bin/", f"{BIN}/").replace("--duration 15", "--duration 1 --connections 4")
    printed = run_shell(script, cwd=ROOT, timeout=300).stdout
    header = "| run | requests/s | p50 ms | p99 ms | requests | failed | Redis commands per request |"
    assert header in DOC.read_text(encoding="utf-8") and header in printed
    rows = [line for line in printed.splitlines() if line.startswith("| ") and "process" in line]
    assert len(rows) == 3 and all(row.split(" | ")[5] == "0" for row in rows), printed  # nothing failed
    assert "evalsha 1.0" in rows[1] and "evalsha 1.0" in rows[2]
    assert re.search(r"^load average \(1, 5, 15 min\) before: [\d.]+ [\d.]+ [\d.]+$", printed, re.M)
