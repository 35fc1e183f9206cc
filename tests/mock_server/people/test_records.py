"""The loaded fixtures: the defaults the banner and the consent page use, and signing in by username."""

from __future__ import annotations

from pathlib import Path

from mock_server.people import Client, Fixtures, UserAccount, load_fixtures


def fixtures_with(*accounts: UserAccount, clients: tuple[Client, ...] = ()) -> Fixtures:
    return Fixtures(
        clients={c.id: c for c in clients},
        users={},
        accounts={a.id: a for a in accounts},
        personas={},
        source=Path("."),
    )


def test_the_defaults_are_the_first_client_and_user_of_the_files() -> None:
    fixtures = load_fixtures()
    assert fixtures.default_client.id == "cudis-wellness"
    assert fixtures.default_user.id == "typical"
    assert fixtures.default_client.scopes == ("daily",)


def test_the_default_client_follows_the_order_of_the_file() -> None:
    first = Client("b-second-alphabetically", "B", ("https://b.example/cb",))
    second = Client("a-first-alphabetically", "A", ("https://a.example/cb",))
    assert fixtures_with(clients=(first, second)).default_client is first


def test_a_username_signs_in_to_the_first_account_that_has_it() -> None:
    fixtures = fixtures_with(
        UserAccount("u1", "One", "shared", "pw1"),
        UserAccount("u2", "Two", "shared", "pw2"),
        UserAccount("u3", "Three", "own", "pw3"),
    )
    found = fixtures.account_by_username("shared")
    assert found is not None and found.id == "u1"
    own = fixtures.account_by_username("own")
    assert own is not None and own.id == "u3"


def test_an_unknown_username_or_an_id_that_is_not_a_username_signs_in_nobody() -> None:
    fixtures = fixtures_with(UserAccount("u1", "One", "alex", "pw"))
    assert fixtures.account_by_username("nobody") is None
    assert fixtures.account_by_username("u1") is None  # the id is no username when the account has one
    assert fixtures.account_by_username("ALEX") is None  # usernames match exactly


def test_the_builtin_accounts_sign_in_with_their_documented_usernames() -> None:
    fixtures = load_fixtures()
    alex = fixtures.account_by_username("alex")
    assert alex is not None and (alex.id, alex.password) == ("typical", "cudis")
