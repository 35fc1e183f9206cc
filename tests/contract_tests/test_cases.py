"""What a request meant: bodies classified by what the page states and what the spec assumes."""

from __future__ import annotations

import json
from typing import Any

from contract_tests.cases import BodyKind, classify_body
from cudis_spec import load_spec

SPEC = load_spec()
STEP = SPEC.query("step")


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_a_valid_body_sent_as_text_is_assumed_invalid() -> None:
    sent = classify_body(SPEC, STEP, _body({"startTime": 1726444800, "endTime": 1726704000}), "text/plain")
    assert sent.kind is BodyKind.ASSUMED_INVALID and sent.reason == "sent as text/plain"
