"""What a log line shows once masked: a token's first characters, a password's name, nothing more."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from mock_server.http.logmask import TokenMaskingFilter, install_log_masking, mask_secrets

TOKEN = "PHCW3OVMXQZX5FJUR6ZK4FAA2MK2CWWA"


def test_the_apps_access_log_prints_a_token_only_as_its_hint(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info(
            '%s - - "%s" %s -', "127.0.0.1", f"GET /cb?access_token={TOKEN} HTTP/1.1", 200
        )
    assert caplog.messages == ['127.0.0.1 - - "GET /cb?access_token=PHCW… HTTP/1.1" 200 -']


def test_a_record_that_cannot_be_formatted_is_passed_on_untouched() -> None:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "two %s %s " + TOKEN, ("one",), None)
    assert TokenMaskingFilter().filter(record) is True
    assert (record.msg, record.args) == ("two %s %s " + TOKEN, ("one",))


def test_installing_twice_masks_once() -> None:
    install_log_masking(("tests.logmask.twice",))
    install_log_masking(("tests.logmask.twice",))
    filters = logging.getLogger("tests.logmask.twice").filters
    assert [type(f) for f in filters] == [TokenMaskingFilter]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('{"password": "hunter2", "user": "alex"}', '{"password": "…", "user": "alex"}'),
        ("admin_token=abcdef&x=1", "admin_token=abcd…&x=1"),
        ("TOKEN=abcdef", "TOKEN=abcd…"),
        ("csrf_token=zz99aa#frag", "csrf_token=zz99…#frag"),
        ("Authorization: bearer\tabcdef, next", "Authorization: bearer\tabcd…, next"),
        (f"id={TOKEN}-9", "id=PHCW…-9"),
    ],
)
def test_secrets_are_cut_and_their_surroundings_kept(text: str, shown: str) -> None:
    assert mask_secrets(text) == shown


@pytest.mark.parametrize("text", [TOKEN.lower(), TOKEN + "X", "X" + TOKEN, "tokenizer=on"])
def test_text_that_is_not_a_secret_is_left_alone(text: str) -> None:
    assert mask_secrets(text) == text
