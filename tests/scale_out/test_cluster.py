"""`make cluster`: a person's three-process mock behind haproxy, with the URL and a token printed."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
from pathlib import Path

import pytest

from tests.doc_examples import BIN, ROOT, run_shell
from tests.servers import MockProcess

from .conftest import query
from .test_docs import MAKE_CLUSTER, shell_blocks

pytestmark = pytest.mark.slow


def test_make_cluster_prints_a_url_and_token_that_answer_through_three_processes(tmp_path: Path) -> None:
    stamp = tmp_path / "installed-stamp"
    stamp.touch()
    files = tmp_path / "cluster"
    assert MAKE_CLUSTER in shell_blocks()  # docs/scale-out.md's command, as a person runs it
    command = [*MAKE_CLUSTER.split(), f"VENV={BIN.parent}", f"STAMP={stamp}", f"ARGS=--port 0 --dir {files}"]
    with MockProcess.start(command=command, cwd=ROOT) as cluster:
        assert re.search(
            r"^\(3 mock processes behind haproxy, state in Redis at redis://127\.0\.0\.1:\d+/0", cluster.banner, re.M
        )
        workers = {query(cluster.base_url, cluster.token).headers["X-Cudis-Mock-Worker"] for _ in range(9)}
        assert len(workers) == 3
        curl = next(line.strip() for line in cluster.banner.splitlines() if line.strip().startswith("curl "))
        assert cluster.base_url in curl
        answer = json.loads(run_shell(curl).stdout)
        assert (answer["code"], answer["msg"]) == (200, "success")
        redis_port = int(re.search(r"redis://127\.0\.0\.1:(\d+)/0", cluster.banner).group(1))  # type: ignore[union-attr]
        os.killpg(cluster.process.pid, signal.SIGTERM)  # as Ctrl-C reaches make and all it started
        cluster.stop()
    assert (files / "redis" / "appendonlydir").is_dir()
    for port in (cluster.port, redis_port):
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
