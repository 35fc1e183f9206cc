"""A compact table of many users: each found by id or username, in file order, as if loaded whole."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from mock_server.people.user_table import BLOCK, Duplicate, UserTable, UserTableBuilder


def convert(index: int, item: dict[str, Any]) -> tuple[SimpleNamespace, SimpleNamespace]:
    profile = SimpleNamespace(id=item["id"], index=index, colour=item.get("colour"))
    account = SimpleNamespace(id=item["id"], username=item.get("username", item["id"]))
    return profile, account


def table_of(*items: dict[str, Any]) -> UserTable:
    builder = UserTableBuilder()
    for item in items:
        text = "{" + ", ".join(f"{key}: {value!r}" for key, value in item.items()) + "}"
        builder.add(item["id"], item.get("username"), text)
    return builder.build(convert)


@pytest.fixture(scope="module")
def many() -> UserTable:
    count = 3 * BLOCK + 5  # several compressed blocks and a partial one
    return table_of(*({"id": f"user-{i:04d}", "colour": f"c{i}"} for i in range(count)))


def test_every_user_is_found_by_id_across_blocks_and_listed_in_file_order(many: UserTable) -> None:
    count = 3 * BLOCK + 5
    assert len(many) == len(many.profiles) == count
    assert list(many.profiles) == [f"user-{i:04d}" for i in range(count)]
    for i in (0, BLOCK - 1, BLOCK, 2 * BLOCK + 1, count - 1):
        profile = many.profiles[f"user-{i:04d}"]
        assert (profile.id, profile.index, profile.colour) == (f"user-{i:04d}", i, f"c{i}")


def test_an_unknown_user_is_not_there(many: UserTable) -> None:
    assert "user-9999" not in many.profiles and 7 not in many.profiles
    assert many.profiles.get("user-9999") is None and many.accounts.get("user-9999") is None
    with pytest.raises(KeyError):
        many.profiles["user-9999"]


def test_profiles_and_accounts_describe_the_same_users(many: UserTable) -> None:
    assert list(many.accounts) == list(many.profiles)
    account = many.accounts["user-0100"]
    assert account.id == "user-0100" and account.username == "user-0100"  # no username: sign in with the id


def test_a_username_signs_in_to_the_first_user_in_file_order_that_has_it() -> None:
    # A user without a username signs in with their id; the earlier of the two wins either way.
    id_first = table_of({"id": "sam"}, {"id": "u2", "username": "sam"}, {"id": "u3", "username": "kim"})
    assert id_first.account_by_username("sam").id == "sam"
    username_first = table_of({"id": "u1", "username": "sam"}, {"id": "sam", "username": "other"})
    assert username_first.account_by_username("sam").id == "u1"
    assert username_first.account_by_username("other").id == "sam"
    assert username_first.account_by_username("nobody") is None
    assert id_first.account_by_username("u3") is None  # an id is no username when the user has one


@pytest.mark.parametrize(
    "items",
    [
        ({"id": "a"}, {"id": "b"}, {"id": "a"}),
        ({"id": "a", "username": "x"}, {"id": "b", "username": "x"}),
    ],
    ids=["id", "username"],
)
def test_a_duplicate_id_or_username_is_refused(items: tuple[dict[str, Any], ...]) -> None:
    with pytest.raises(Duplicate):
        table_of(*items)
