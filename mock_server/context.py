"""Everything a request handler needs, built once by the app factory and hung off the app."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from flask import Flask, current_app

from cudis_spec import Spec

from .config import MockConfig
from .http.masks import MaskMemo
from .http.ranges import RangeMemo, RangeRules
from .oauth.tokens import TokenRecord
from .people import Fixtures
from .state.clock import MockClock
from .state.scenarios import Scenario
from .state.store import Store
from .synth import DataEngine

EXTENSION_KEY = "cudis_mock"
PRUNE_EVERY = 256
"""Tokens issued (per process) between two prunings of the expired ones."""
PRUNE_AFTER = 86400.0
"""A token is pruned a day after it expired by the mock's clock, so moving the clock back a little
(a test that steps around an expiry) finds it still there."""


class Recent(list[str]):
    """The latest `size` problems, each cut to `text_bytes`; `dropped` counts the older ones let go.

    A list, so callers and tests read it as one; it only refuses to grow without bound when a
    request that fails is sent again and again.
    """

    def __init__(self, size: int = 100, text_bytes: int = 8192) -> None:
        super().__init__()
        self.size = size
        self.text_bytes = text_bytes
        self.dropped = 0

    def append(self, text: str) -> None:
        if len(text) > self.text_bytes:
            text = text[: self.text_bytes] + f"…({len(text) - self.text_bytes} more characters)"
        super().append(text)
        if len(self) > self.size:
            self.dropped += len(self) - self.size
            del self[: len(self) - self.size]

    def extend(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.append(text)

    def clear(self) -> None:
        super().clear()
        self.dropped = 0


@dataclass
class MockContext:
    config: MockConfig
    spec: Spec
    fixtures: Fixtures
    engine: DataEngine
    store: Store
    clock: MockClock
    range_rules: RangeRules
    ranges: RangeMemo
    masks: MaskMemo = field(default_factory=MaskMemo)
    """What the journal masked lately (http/journal.py)."""
    violations: Recent = field(default_factory=Recent)
    """Contract violations of the mock's own responses (self-check mode): the latest 100."""
    errors: Recent = field(default_factory=Recent)
    """Unexpected exceptions while answering, with tracebacks (the pytest plugin re-raises them): the latest 100."""
    scenario: Scenario | None = None
    """The `--scenario` applied at start-up and by every reset."""
    sleep: Callable[[float], None] = time.sleep
    """How latency faults wait (tests inject a fake)."""
    issued: int = 0
    """Tokens this process has issued: every PRUNE_EVERY, the long-expired ones are pruned."""

    def issue_token(self, record: TokenRecord) -> None:
        """Keep a newly minted token; now and then forget those that expired long ago."""
        self.store.add_token(record)
        self.issued += 1
        if self.issued % PRUNE_EVERY == 0:
            self.store.prune_tokens(self.clock.now() - PRUNE_AFTER)


def mock_context(app: Flask | None = None) -> MockContext:
    return cast(MockContext, (app or current_app).extensions[EXTENSION_KEY])
