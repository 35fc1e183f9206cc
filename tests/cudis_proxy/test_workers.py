"""`cudis-mock proxy --workers N`: the same proxy from N processes, one journal and one recording between them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import yaml

from mock_server.cli import main

from ..servers import MockProcess
from .conftest import DAY, journal, last_days, proxy_workers, query


def test_workers_record_every_answer_and_journal_every_exchange(mock_process: MockProcess, tmp_path: Path) -> None:
    # Distinct ranges sent at once on fresh connections, so that both workers record side by side.
    ranges = [last_days(2 + i % 5, ago=i) for i in range(40)]
    with proxy_workers(mock_process.base_url, "--record", str(tmp_path)) as proxy:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda r: query(proxy, "step", r, mock_process.token, "cudis-wellness"), ranges))
        assert all(a.status_code == 200 and a.headers["X-Cudis-Contract"] == "pass" for a in answers)
        entries = journal(proxy)
    assert len(entries) == len(ranges) and len({e["id"] for e in entries}) == len(ranges)
    assert all(e["problems"] == [] and e["status"] == 200 for e in entries)
    recorded = yaml.safe_load((tmp_path / "recordings.yaml").read_text())["recordings"]
    assert sorted((r["startTime"], r["endTime"]) for r in recorded) == sorted(
        (r["startTime"], r["endTime"]) for r in ranges
    )
    assert all(r["endTime"] % DAY == 0 for r in recorded)


def test_the_journal_is_cleared_and_answers_pass_through_on_kept_alive_connections(mock_process: MockProcess) -> None:
    with proxy_workers(mock_process.base_url) as proxy:
        with requests.Session() as session:
            session.headers.update(
                {"Authorization": f"Bearer {mock_process.token}", "Cudis-Client-Id": "cudis-wellness"}
            )
            for _ in range(3):
                answer = session.get(f"{proxy}/partner/v1/query/heart_beat", json=last_days(3), timeout=10)
                assert answer.json()["code"] == 200 and answer.headers["X-Cudis-Contract"] == "pass"
        assert len(journal(proxy)) == 3
        assert requests.delete(f"{proxy}/__mock__/requests", timeout=10).status_code == 204
        assert journal(proxy) == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--workers", "0"], "--workers must be at least 1 (got 0)"),
        (["--workers", "2", "--upstream-timeout", "40"], "--upstream-timeout must be under 30 seconds with --workers"),
    ],
)
def test_workers_it_cannot_use_are_exit_2(args: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["proxy", "--port", "0", "--upstream", "http://127.0.0.1:9", *args]) == 2
    assert says in capsys.readouterr().err
