"""The contract's checks, one module a family; importing this package registers them all.

    schema         the answer's shape: HTTP 200 or a 4xx, `application/json`, the envelope's schema
    envelope       `{code, msg, data}`; an error has a message and `data: null`
    rules          a valid query succeeds; its data keep the spec's `x-cudis-rules` (family `spec-rules`)
    authorization  bad credentials get the session-expired envelope
    bad_input      every request is answered without a crash; bad input never succeeds
    protocol       the HTTP status of error envelopes; other methods

`registry` holds the decorators (`@check`, `@requires`) and `conditions` the shared preconditions.
"""

from __future__ import annotations

from . import authorization, bad_input, envelope, protocol, rules, schema
from .registry import Check, CheckFunction, Condition, Context, Layer, applies, check, registered, requires

__all__ = [
    "Check",
    "CheckFunction",
    "Condition",
    "Context",
    "Layer",
    "applies",
    "authorization",
    "bad_input",
    "check",
    "envelope",
    "protocol",
    "registered",
    "requires",
    "rules",
    "schema",
]
