"""Fixtures load, and a broken file is refused with the file, the line and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mock_server import MockConfig, create_app
from mock_server.people import FixtureError, load_fixtures
from mock_server.people.files import builtin_fixtures_dir


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    target = tmp_path / "fixtures"
    shutil.copytree(builtin_fixtures_dir(), target)
    return target


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_builtin_fixtures_have_the_required_clients_and_users() -> None:
    fixtures = load_fixtures()
    assert {"cudis-wellness", "JDS734JSNDPW"} <= set(fixtures.clients)
    assert "https://example.com/callback" in fixtures.clients["JDS734JSNDPW"].redirect_uris
    assert any("127.0.0.1" in uri for uri in fixtures.clients["cudis-wellness"].redirect_uris)
    assert len(fixtures.users) >= 8
    zones = {u.timezone for u in fixtures.users.values()}
    assert {"Pacific/Kiritimati", "Etc/GMT+12"} <= zones


@pytest.mark.parametrize(
    ("file", "old", "new", "field", "words"),
    [
        (
            "users.yaml",
            "persona: athlete\n    timezone: Europe/Berlin",
            "persona: athlete\n    timezone: Mars/Olympus",
            "users[1].timezone",
            "unknown time zone",
        ),
        ("users.yaml", "persona: sedentary", "persona: couch_potato", "users[2].persona", "unknown persona"),
        (
            "users.yaml",
            "        step: {y: 2523}",
            "        step: {y: -4}",
            "users[10].pinned.2024-09-16.step.y",
            "minimum",
        ),
        (
            "users.yaml",
            "        heart_beat: {maxY: 80, minY: 70, average: 74}",
            "        heart_beat: {maxY: 60, minY: 70}",
            "users[10].pinned.2024-09-16.heart_beat.minY",
            "above maxY",
        ),
        (
            "users.yaml",
            "    username: bea\n",
            "    username: bea\n    shoe_size: 42\n",
            "users[1].shoe_size",
            "unknown field",
        ),
        (
            "clients.yaml",
            "      - https://example.com/callback",
            "      - not a url",
            "clients[0].redirect_uris[0]",
            "does not match",
        ),
        ("personas.yaml", "sleep: {hours: 7.0}", "sleep: {hours: lots}", "personas.sparse.sleep.hours", "not of type"),
    ],
)
def test_a_broken_fixture_names_file_line_and_field(
    fixture_dir: Path, file: str, old: str, new: str, field: str, words: str
) -> None:
    path = fixture_dir / file
    replace(path, old, new)
    with pytest.raises(FixtureError) as caught:
        load_fixtures(fixture_dir)
    error = caught.value
    assert error.path == path
    assert error.field == field
    assert words in error.problem
    assert error.line is not None
    assert str(path) in str(error) and f":{error.line}:" in str(error)


def test_the_reported_line_is_the_offending_line(fixture_dir: Path) -> None:
    path = fixture_dir / "users.yaml"
    replace(path, "timezone: Asia/Tokyo", "timezone: Asia/Atlantis")
    with pytest.raises(FixtureError) as caught:
        load_fixtures(fixture_dir)
    assert caught.value.line == line_of(path, "Asia/Atlantis")


def test_invalid_yaml_is_refused_with_its_line(fixture_dir: Path) -> None:
    path = fixture_dir / "personas.yaml"
    path.write_text("personas:\n  typical: {steps: [\n")
    with pytest.raises(FixtureError, match="not valid YAML") as caught:
        load_fixtures(fixture_dir)
    assert caught.value.line is not None


def test_an_unclosed_quote_is_reported_where_it_was_opened(fixture_dir: Path) -> None:
    path = fixture_dir / "users.yaml"
    replace(path, 'joined: "2022-01-01"', 'joined: "2022-01-01')
    opened = line_of(path, 'joined: "2022-01-01')
    with pytest.raises(FixtureError, match=f"the quote opened on line {opened} is closed only on line ") as caught:
        load_fixtures(fixture_dir)
    assert caught.value.line == opened
    assert str(caught.value).startswith(f"{path}:{opened}: ")


def test_a_quote_left_open_to_the_end_of_the_file_is_reported_where_it_was_opened(fixture_dir: Path) -> None:
    path = fixture_dir / "clients.yaml"
    path.write_text(path.read_text() + '  - id: "late\n    name: Late\n')
    opened = line_of(path, '"late')
    with pytest.raises(FixtureError, match=f"the quote opened on line {opened} is never closed") as caught:
        load_fixtures(fixture_dir)
    assert caught.value.line == opened


def test_a_fixtures_path_that_does_not_exist_or_is_a_file_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    with pytest.raises(FixtureError) as caught:
        load_fixtures(missing)
    assert str(caught.value) == f"{missing}: no such directory (--fixtures names a directory of fixture files)"
    a_file = tmp_path / "users.yaml"
    a_file.write_text("users: []\n")
    with pytest.raises(FixtureError, match=r"users\.yaml: not a directory \(--fixtures names a directory"):
        load_fixtures(a_file)


def test_a_missing_file_and_a_duplicate_id_are_refused(fixture_dir: Path) -> None:
    replace(fixture_dir / "users.yaml", "- id: athlete", "- id: typical")
    with pytest.raises(FixtureError, match="duplicate id 'typical'"):
        load_fixtures(fixture_dir)
    (fixture_dir / "clients.yaml").unlink()
    with pytest.raises(FixtureError, match=r"needs clients\.yaml"):
        load_fixtures(fixture_dir)


def test_the_mock_refuses_to_start_on_broken_fixtures(fixture_dir: Path) -> None:
    replace(fixture_dir / "users.yaml", "persona: sedentary", "persona: nobody")
    with pytest.raises(FixtureError):
        create_app(MockConfig(fixtures=fixture_dir))


def test_pinned_days_are_served(fixture_dir: Path) -> None:
    replace(fixture_dir / "users.yaml", "        step: {y: 2523}", "        step: {y: 12345}")
    app = create_app(MockConfig(fixtures=fixture_dir, validate_responses=True))
    client = app.test_client()
    token = client.post("/__mock__/tokens", json={"user_id": "doc-example"}).json["access_token"]  # type: ignore[index]
    answer = client.get(
        "/partner/v1/query/step",
        json={"startTime": 1726444800, "endTime": 1726531200},
        headers={"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"},
    ).json
    assert answer["data"] == {"countStep": 12345, "list": [{"date": "2024-09-16", "y": 12345.0}]}  # type: ignore[index]


def test_a_large_users_file_loads_item_by_item_to_the_same_users(fixture_dir: Path) -> None:
    count = 4_500  # over a megabyte: the item-by-item loader
    lines = ["users:"]
    for i in range(count):
        lines += [
            f"  - id: bulk-{i:05d}",
            f"    persona: {'athlete' if i % 2 else 'typical'}",
            "    timezone: Europe/Berlin",
            '    joined: "2023-01-01"',
            f"    description: {'x' * 200}",
        ]
    (fixture_dir / "users.yaml").write_text("\n".join(lines) + "\n")
    assert (fixture_dir / "users.yaml").stat().st_size > 1_000_000
    fixtures = load_fixtures(fixture_dir)
    assert len(fixtures.users) == count
    last = fixtures.users[f"bulk-{count - 1:05d}"]
    assert (last.persona.name, last.timezone, str(last.joined)) == ("athlete", "Europe/Berlin", "2023-01-01")


def test_a_large_users_file_with_an_error_names_its_line(fixture_dir: Path) -> None:
    lines = ["users:"]
    for i in range(4_500):
        lines += [f"  - id: bulk-{i:05d}", "    persona: typical", "    timezone: UTC", f"    description: {'x' * 200}"]
    lines[4 * 4_000 + 3] = "    timezone: Mars/Olympus"
    (fixture_dir / "users.yaml").write_text("\n".join(lines) + "\n")
    with pytest.raises(FixtureError) as caught:
        load_fixtures(fixture_dir)
    assert caught.value.line == 4 * 4_000 + 4
    assert caught.value.field == "users[4000].timezone"


def _varied_users(count: int) -> str:
    """Users in every form the schema allows: pins, gaps, flow style, comments, quoting."""
    lines = ["# many users", "users:"]
    for i in range(count):
        if i % 7 == 3:
            lines.append(f"  - {{id: flow-{i:05d}, persona: athlete, timezone: Asia/Tokyo, name: 'Flow {i}'}}")
            continue
        lines += [f"  - id: bulk-{i:05d}", f"    persona: {'athlete' if i % 2 else 'typical'}", "    timezone: UTC"]
        if i % 5 == 0:
            lines += [f"    username: user{i}", "    password: secret", f'    name: "Name #{i}"']
        if i % 11 == 0:
            lines += ["    pinned:", '      "2024-09-16":', "        step: {y: 1234}", "        missing: [sleep]"]
        if i % 13 == 0:
            lines += ["    gaps:", '      - {from: "2024-01-01", to: "2024-01-05"}']
        lines += [f"    description: {'x' * 200}  # padding"]
    return "\n".join(lines) + "\n"


def test_a_large_users_file_gives_exactly_what_loading_it_whole_gives(
    fixture_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mock_server.people import loader, yaml_reader

    (fixture_dir / "users.yaml").write_text(_varied_users(4_500))
    compact = load_fixtures(fixture_dir)
    assert type(compact.users).__name__ == "UserTableView"  # the compact table, not a dict
    monkeypatch.setattr(loader, "COMPACT_USERS_FROM", 10**12)  # the same file, loaded whole
    monkeypatch.setattr(yaml_reader, "BY_ITEMS_FROM", 10**12)  # and parsed in one go, as a small one is
    whole = load_fixtures(fixture_dir)
    assert isinstance(whole.users, dict)
    assert list(compact.users) == list(whole.users) and len(compact.users) == len(whole.users)
    assert [compact.users[i] for i in whole.users] == list(whole.users.values())
    assert list(compact.accounts.values()) == list(whole.accounts.values())
    assert compact.default_user == whole.default_user
    assert "bulk-00000" in compact.users and "nobody" not in compact.users and 7 not in compact.users
    assert compact.accounts.get("nobody") is None
    for username in ("user5", "bulk-00001", "flow-00003", "user4", "nobody"):
        assert compact.account_by_username(username) == whole.account_by_username(username)
    assert compact.account_by_username("user5") == compact.accounts["bulk-00005"]
    with pytest.raises(KeyError):
        compact.users["nobody"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("  - id: bulk-04001\n", "  - id: bulk-00002\n"), "users[4001].id"),
        (
            ("    timezone: UTC\n    description", "    timezone: UTC\n    colour: red\n    description"),
            "users[1].colour",
        ),
    ],
)
def test_a_large_users_file_with_a_duplicate_or_unknown_field_is_refused_as_before(
    fixture_dir: Path, change: tuple[str, str], field: str
) -> None:
    text = _varied_users(4_500)
    (fixture_dir / "users.yaml").write_text(text.replace(*change, 1))
    with pytest.raises(FixtureError) as caught:
        load_fixtures(fixture_dir)
    assert caught.value.field == field
