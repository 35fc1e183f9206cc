"""`mock_server.wsgi:app`, the entry point for other WSGI servers, configured by environment."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from mock_server.state import MemoryStore, SqliteStore


def _load_app(monkeypatch: pytest.MonkeyPatch, **environ: str) -> Any:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, "mock_server.wsgi", raising=False)  # a fresh import, as a new process does
    return importlib.import_module("mock_server.wsgi").app


def _query(app: Any, token: str) -> dict[str, Any]:
    response = app.test_client().get(
        "/partner/v1/query/step",
        json={"startTime": 1_700_000_000, "endTime": 1_700_500_000},
        headers={"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"},
    )
    body: dict[str, Any] = response.get_json()
    return body


def test_processes_given_one_state_file_share_tokens_and_the_journal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # What a multi-process server does: each process imports the module on its own.
    state = str(tmp_path / "state.sqlite")
    first = _load_app(monkeypatch, CUDIS_MOCK_STATE=state, CUDIS_MOCK_SEED="7")
    second = _load_app(monkeypatch, CUDIS_MOCK_STATE=state, CUDIS_MOCK_SEED="7")
    minted = first.test_client().post("/__mock__/tokens", json={"client_id": "cudis-wellness", "user_id": "typical"})
    token = minted.get_json()["access_token"]
    assert _query(second, token)["code"] == 200
    journal = first.test_client().get("/__mock__/requests").get_json()["requests"]
    assert [entry["path"] for entry in journal] == ["/partner/v1/query/step"]


def test_without_a_state_file_the_state_is_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUDIS_MOCK_STATE", raising=False)
    app = _load_app(monkeypatch)
    assert isinstance(app.extensions["cudis_mock"].store, MemoryStore)
    assert not isinstance(app.extensions["cudis_mock"].store, SqliteStore)
