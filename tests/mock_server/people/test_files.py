"""Where the built-in fixtures are found: a checkout's fixtures/, else the copy installed with the package."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server.people import files, load_fixtures
from mock_server.people.files import builtin_fixtures_dir


def test_the_builtin_folder_holds_the_fixture_files_the_mock_loads() -> None:
    folder = builtin_fixtures_dir()
    assert {"clients.yaml", "users.yaml", "personas.yaml"} <= {p.name for p in folder.iterdir()}
    assert load_fixtures(folder).source == load_fixtures().source == folder


def test_a_checkouts_fixtures_come_before_the_installed_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout, installed = tmp_path / "fixtures", tmp_path / "_data" / "fixtures"
    checkout.mkdir()
    installed.mkdir(parents=True)
    monkeypatch.setattr(files, "_CANDIDATES", (checkout, installed))
    assert builtin_fixtures_dir() == checkout
    checkout.rmdir()
    assert builtin_fixtures_dir() == installed


def test_without_either_folder_the_error_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "_CANDIDATES", (tmp_path / "fixtures", tmp_path / "_data" / "fixtures"))
    with pytest.raises(FileNotFoundError, match="neither beside the mock_server package nor installed"):
        builtin_fixtures_dir()
