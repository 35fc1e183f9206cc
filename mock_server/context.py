"""Everything a request handler needs, built once at start-up (without Flask) and hung off the app."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from cudis_spec import Spec, load_spec

from .config import MockConfig
from .http.masks import MaskMemo
from .http.ranges import RangeMemo, RangeRules, range_rules
from .oauth.tokens import TokenRecord
from .people import Fixtures, load_fixtures
from .state import MemoryStore
from .state.clock import MockClock
from .state.control import apply_scenario, fault_from_body
from .state.scenarios import Scenario, load_scenario
from .state.store import Store
from .synth import DataEngine

if TYPE_CHECKING:
    from flask import Flask

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


def build_context(
    config: MockConfig | None = None,
    *,
    store: Store | None = None,
    time_source: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> MockContext:
    """Spec and fixtures loaded and checked, state in `store` (memory by default).

    With `config.scenario`, its faults (and clock) replace those in the store. Raises FixtureError
    or ValueError for what `config` names and cannot be used.
    """
    config = config or MockConfig()
    spec = load_spec()
    fixtures = load_fixtures(config.fixtures)
    if config.replay_only and not fixtures.recordings:
        raise ValueError(f"--replay-only: {fixtures.source} holds no recordings.yaml (see cudis-mock proxy --record)")
    if config.auto_approve is not None and config.auto_approve not in fixtures.users:
        raise ValueError(f"--auto-approve: unknown user {config.auto_approve!r} (known: {', '.join(fixtures.users)})")
    store = store or MemoryStore()
    rules = range_rules(spec)
    mock = MockContext(
        config=config,
        spec=spec,
        fixtures=fixtures,
        engine=DataEngine(config.seed, fixtures.users),
        store=store,
        clock=MockClock(store, time_source),
        range_rules=rules,
        ranges=RangeMemo(rules),
        sleep=sleep,
    )
    if config.scenario is not None:
        mock.scenario = load_scenario(config.scenario, spec, lambda body: fault_from_body(mock, body, "check"))
        apply_scenario(mock)
    return mock


def mock_context(app: Flask | None = None) -> MockContext:
    """The context of `app`, or of the app handling the current request."""
    if app is None:
        from flask import current_app  # here, not at the top: the worker front (serving/front.py) runs without Flask

        app = current_app
    return cast(MockContext, app.extensions[EXTENSION_KEY])
