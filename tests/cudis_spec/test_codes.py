"""The code catalogue: codes by number and by key, their messages and the HTTP status they travel with."""

from __future__ import annotations

import pytest

from cudis_spec import CodeCatalogue, load_spec

CODES = load_spec().codes


def test_the_pages_codes_are_the_vendors() -> None:
    assert CODES.success.code == 200 and CODES.success.msg == "success"
    assert CODES.session_expired.code == 20007
    assert CODES.session_expired.msg == "Session expired. Please sign in again"
    assert {c for c, info in CODES.items() if info.source == "vendor"} == {200, 20007}


def test_a_key_names_its_code_and_an_unknown_key_lists_the_known_ones() -> None:
    assert CODES.by_key("invalid-range").code == 40002
    with pytest.raises(KeyError, match="session-expired"):
        CODES.by_key("no-such-key")


def test_a_message_fills_its_template() -> None:
    info = CODES.by_key("invalid-field")
    assert info.message(field="startTime", detail="must be a number") == "Invalid startTime: must be a number"
    assert CODES.success.message() == "success"


@pytest.mark.parametrize(
    ("key", "default", "mapped"),
    [
        ("session-expired", 200, 401),  # the page shows an envelope; HTTP 200 is the mock's assumption
        ("invalid-range", 200, 400),
        ("not-found", 404, 404),  # protocol-level: always its own status
        ("too-large", 413, 413),
    ],
)
def test_the_http_status_follows_error_status_unless_fixed(key: str, default: int, mapped: int) -> None:
    info = CODES.by_key(key)
    assert (info.http_status("200"), info.http_status("mapped")) == (default, mapped)


def test_bad_input_codes_are_the_mocks_400_and_415_codes() -> None:
    assert CODES.bad_input_codes() == {40000, 40001, 40002, 41500}


def test_a_catalogue_listing_a_key_twice_is_refused() -> None:
    entry = {"code": 1, "key": "twice", "msg": "m", "http": 400, "source": "mock"}
    with pytest.raises(ValueError, match="twice"):
        CodeCatalogue([entry, {**entry, "code": 2}])
