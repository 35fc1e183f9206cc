"""`cudis-mock serve --state FILE`: tokens, clock and journal survive a restart."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import stat
import time
from pathlib import Path

import pytest
import requests

from mock_server.cli import main
from mock_server.oauth.tokens import TokenRecord
from mock_server.state import SqliteStore

from ...servers import MockProcess

RANGE = {"startTime": 1726358400, "endTime": 1726704000}


def query(mock: MockProcess, token: str, client_id: str = "cudis-wellness") -> int:
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": client_id}
    response = requests.get(f"{mock.base_url}/partner/v1/query/heart_beat", json=RANGE, headers=headers, timeout=10)
    return int(response.json()["code"])


def test_a_restart_with_state_keeps_every_token_the_clock_and_the_journal(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with MockProcess.start("--state", str(state), log=tmp_path / "first.log") as first:
        assert f"(state in {state})" in first.banner
        tokens = {first.token: "cudis-wellness"}
        for user, client in (("athlete", "local-dev"), ("no-data", "JDS734JSNDPW")):
            grant = requests.post(
                f"{first.base_url}/__mock__/tokens", json={"user_id": user, "client_id": client}, timeout=10
            )
            tokens[grant.json()["access_token"]] = client
        revoked = requests.post(f"{first.base_url}/__mock__/tokens", json={}, timeout=10).json()["access_token"]
        requests.delete(f"{first.base_url}/__mock__/tokens/{revoked}", timeout=10)
        assert [query(first, t, c) for t, c in tokens.items()] == [200, 200, 200]
        clock = requests.post(f"{first.base_url}/__mock__/clock/advance", json={"seconds": 3600}, timeout=10).json()
        journal = requests.get(f"{first.base_url}/__mock__/requests", timeout=10).json()["requests"]
        assert len(journal) == 3

    with MockProcess.start("--state", str(state), log=tmp_path / "second.log") as second:
        assert second.base_url != "" and second.token not in tokens
        after = requests.get(f"{second.base_url}/__mock__/requests", timeout=10).json()["requests"]
        assert after == journal
        assert requests.get(f"{second.base_url}/__mock__/clock", timeout=10).json()["offset"] == clock["offset"]
        assert [query(second, t, c) for t, c in tokens.items()] == [200, 200, 200]
        assert query(second, revoked) == 20007
        assert query(second, second.token) == 200
    for log in ("first.log", "second.log"):
        assert "Traceback" not in (tmp_path / log).read_text()


def test_a_state_file_that_is_not_the_mocks_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database, just some text that is long enough to have a header" * 20)
    assert main(["serve", "--port", "0", "--state", str(foreign)]) == 2
    assert "not a cudis-mock state file" in capsys.readouterr().err
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', '99')")
    db.close()
    assert main(["serve", "--port", "0", "--state", str(other)]) == 2
    assert "written by another version" in capsys.readouterr().err


def test_two_apps_on_one_state_file_share_tokens_and_the_consent_secret(tmp_path: Path) -> None:
    import re

    from mock_server import MockConfig, create_app
    from mock_server.state import SqliteStore

    state = tmp_path / "shared.sqlite"
    one = create_app(MockConfig(), store=SqliteStore(state)).test_client()
    other = create_app(MockConfig(), store=SqliteStore(state)).test_client()
    page = one.get("/oauth/authorize?response_type=token&client_id=cudis-wellness")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert csrf is not None
    form = {"csrf_token": csrf.group(1), "decision": "approve", "user": "athlete", "grant": "daily"}
    granted = other.post("/oauth/authorize", data=form)
    assert granted.status_code == 302 and "access_token=" in granted.headers["Location"]
    token = re.search(r"access_token=([A-Z0-9]+)", granted.headers["Location"])
    assert token is not None
    headers = {"Authorization": f"Bearer {token.group(1)}", "Cudis-Client-Id": "cudis-wellness"}
    assert one.get("/partner/v1/query/heart_beat", json=RANGE, headers=headers).json["code"] == 200


def test_fault_counts_are_never_lost_between_connections(tmp_path: Path) -> None:
    import threading

    from mock_server.state import SqliteStore
    from mock_server.state.faults import Fault, step

    state = tmp_path / "counts.sqlite"
    stores = [SqliteStore(state), SqliteStore(state)]  # as two worker processes would
    stores[0].update_faults(lambda _faults: ([Fault("f1", "latency", ms=0)], None))

    def hammer(store: SqliteStore) -> None:
        for _ in range(25):
            store.update_faults(lambda faults: step(faults, "queryStep", "/partner/v1/query/step"))

    threads = [threading.Thread(target=hammer, args=(stores[i % 2],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (fault,) = stores[1].snapshot().faults
    assert (fault.hits, fault.fired) == (100, 100)


def test_what_one_store_caches_follows_every_change_made_through_another(tmp_path: Path) -> None:
    from mock_server.oauth.tokens import mint
    from mock_server.state import ClockState, SqliteStore
    from mock_server.state.faults import Fault

    state = tmp_path / "cached.sqlite"
    reader, writer = SqliteStore(state), SqliteStore(state)  # as two worker processes would
    _token, record = mint("cudis-wellness", "typical", ("daily",), 1000.0, 3600)
    assert reader.get_token(record.digest) is None and reader.snapshot().faults == ()
    writer.add_token(record)
    assert reader.get_token(record.digest) == record
    writer.set_clock_state(ClockState(frozen_at=5.0))
    assert reader.snapshot().clock == ClockState(frozen_at=5.0)
    writer.advance_clock(10)
    assert reader.clock_state() == ClockState(frozen_at=15.0)
    writer.update_faults(lambda _faults: ([Fault("f1", "latency", ms=0)], None))
    assert [f.id for f in reader.snapshot().faults] == ["f1"]
    writer.revoke_token(record.digest)
    assert reader.get_token(record.digest) is None
    writer.add_token(record)
    writer.reset()
    assert reader.get_token(record.digest) is None
    assert reader.snapshot().clock == ClockState() and reader.snapshot().faults == ()
    # The journal is no change to what is cached, but each store reads every entry.
    writer.append_journal({"path": "/a"}, 10)
    assert [e["path"] for e in reader.journal()] == ["/a"]


def test_the_write_ahead_log_is_checkpointed_and_kept_small(tmp_path: Path) -> None:
    from mock_server.state import SqliteStore

    state = tmp_path / "wal.sqlite"
    store = SqliteStore(state)
    records = [
        TokenRecord(f"{n:064x}", "cudis-wellness", "typical", ("daily",), 0.0, 1e10, "x" * 400) for n in range(1500)
    ]
    for record in records[:-1]:
        store.add_token(record)
    wal = Path(f"{state}-wal")
    # The store's own checkpoint thread may be mid-way through one: ours reports busy until it is done.
    deadline = time.monotonic() + 30
    while not store.checkpoint():
        assert time.monotonic() < deadline, "no checkpoint completed in 30 s"
    store.add_token(records[-1])  # the first write after a complete checkpoint restarts the log
    assert wal.stat().st_size <= 4 * 1024 * 1024
    reopened = SqliteStore(state)
    assert all(reopened.get_token(r.digest) == r for r in records[-3:])
    store.close()
    reopened.close()


def _fingerprint(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()}


def _refused(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    before = _fingerprint(path.parent)
    assert main(["serve", "--port", "0", "--state", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert _fingerprint(path.parent) == before, "the refused state file (or a file beside it) was changed"
    return err


def test_someone_elses_sqlite_file_is_refused_and_left_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "app.sqlite"
    with contextlib.closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        db.execute("INSERT INTO invoices VALUES (1, 9.5)")
        db.commit()
    err = _refused(other, capsys)
    assert "an SQLite database of something else (tables: invoices)" in err
    with contextlib.closing(sqlite3.connect(other)) as db:
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["invoices"]


def test_a_conflicting_file_is_refused_without_a_meta_table_added(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "conflict.sqlite"
    with contextlib.closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE tokens (digest TEXT, owner TEXT)")
        db.commit()
    assert "something else (tables: tokens)" in _refused(other, capsys)
    with contextlib.closing(sqlite3.connect(other)) as db:
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["tokens"]


def test_a_new_state_file_and_its_side_files_are_private(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    store = SqliteStore(state)
    store.append_journal({"path": "/"}, keep=10)
    store.close()
    for path in (state, tmp_path / "state.sqlite-requests", tmp_path / "state.sqlite-stamp"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_read_only_state_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state.sqlite"
    SqliteStore(state).close()
    state.chmod(0o444)
    assert "the file is read-only (mode 0444)" in _refused(state, capsys)


def test_a_stamp_path_that_is_a_directory_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state.sqlite"
    (tmp_path / "state.sqlite-stamp").mkdir()
    err = _refused(state, capsys)
    assert "its stamp file" in err and "is not a regular file" in err
    assert not state.exists()
