"""What a request meant: bodies classified by what the page states and what the spec assumes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract_tests.cases import BodyKind, classify_body
from cudis_spec import load_spec

SPEC = load_spec()
STEP = SPEC.query("step")


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (_body({"startTime": 1726444800, "endTime": 1726704000}), BodyKind.VALID),
        (_body({"startTime": "1726444800", "endTime": 1726704000}), BodyKind.INVALID),
        (b"not json", BodyKind.INVALID),
        (b'{"startTime": NaN, "endTime": 1}', BodyKind.INVALID),
        (_body({"startTime": -1, "endTime": 5}), BodyKind.ASSUMED_INVALID),  # bounds: the spec's assumption
        (_body({"startTime": 9, "endTime": 5}), BodyKind.ASSUMED_INVALID),  # a request rule, assumed
        (_body({"endTime": 5}), BodyKind.ASSUMED_INVALID),  # `required` is an assumed keyword
        (None, BodyKind.ASSUMED_INVALID),
    ],
)
def test_bodies_are_classified_by_what_the_page_states(body: bytes | None, kind: BodyKind) -> None:
    assert classify_body(SPEC, STEP, body, "application/json").kind is kind


def test_a_valid_body_sent_as_text_is_assumed_invalid() -> None:
    sent = classify_body(SPEC, STEP, _body({"startTime": 1726444800, "endTime": 1726704000}), "text/plain")
    assert sent.kind is BodyKind.ASSUMED_INVALID and sent.reason == "sent as text/plain"
