"""open_store: the store `serve` runs on is memory, the --state file, or a temporary file for workers."""

from __future__ import annotations

import tempfile
from pathlib import Path

from mock_server import MockConfig, create_app
from mock_server.serving.server import open_store
from mock_server.state import MemoryStore, SqliteStore


def mint_through(store: object) -> str:
    client = create_app(MockConfig(), store=store).test_client()  # type: ignore[arg-type]
    return str(client.post("/__mock__/tokens", json={}).json["access_token"])  # type: ignore[index]


def test_by_default_the_state_is_in_memory_and_gone_with_the_store() -> None:
    with open_store(MockConfig()) as first:
        assert isinstance(first, MemoryStore)
        first.advance_clock(60)
    with open_store(MockConfig()) as second:
        assert second.clock_state().offset == 0


def test_a_state_file_is_used_and_kept_for_the_next_start(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with open_store(MockConfig(state=str(state))) as store:
        assert isinstance(store, SqliteStore) and store.path == state
        store.advance_clock(3600)
    assert state.exists()
    with open_store(MockConfig(state=str(state), workers=2)) as again:  # --state wins over a temporary file
        assert isinstance(again, SqliteStore) and again.path == state
        assert again.clock_state().offset == 3600


def test_workers_without_a_state_file_share_a_temporary_one_removed_at_the_end() -> None:
    with open_store(MockConfig(workers=2)) as store:
        assert isinstance(store, SqliteStore)
        folder = store.path.parent
        assert folder.name.startswith("cudis-mock-") and folder.parent == Path(tempfile.gettempdir())
        token = mint_through(store)
        # A second worker on the same file sees the first one's token.
        other = SqliteStore(store.path)
        headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
        body = {"startTime": 1726358400, "endTime": 1726704000}
        answer = (
            create_app(MockConfig(), store=other)
            .test_client()
            .get("/partner/v1/query/step", json=body, headers=headers)
        )
        assert answer.json["code"] == 200  # type: ignore[index]
        other.close()
        store.close()
    assert not folder.exists()


def test_two_runs_with_workers_never_share_their_temporary_state() -> None:
    with open_store(MockConfig(workers=2)) as one, open_store(MockConfig(workers=2)) as other:
        assert isinstance(one, SqliteStore) and isinstance(other, SqliteStore)
        assert one.path != other.path
        one.advance_clock(60)
        assert other.clock_state().offset == 0
        one.close()
        other.close()
