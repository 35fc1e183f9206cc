"""Everything a request handler needs, built once by the app factory and hung off the app."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from flask import Flask, current_app

from cudis_spec import Spec

from .config import MockConfig
from .http.masks import MaskMemo
from .http.ranges import RangeMemo, RangeRules
from .people import Fixtures
from .state.clock import MockClock
from .state.scenarios import Scenario
from .state.store import Store
from .synth import DataEngine

EXTENSION_KEY = "cudis_mock"


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
    violations: list[str] = field(default_factory=list)
    """Contract violations of the mock's own responses (self-check mode)."""
    errors: list[str] = field(default_factory=list)
    """Unexpected exceptions while answering, with their tracebacks (the pytest plugin re-raises them)."""
    scenario: Scenario | None = None
    """The `--scenario` applied at start-up and by every reset."""
    sleep: Callable[[float], None] = time.sleep
    """How latency faults wait (tests inject a fake)."""


def mock_context(app: Flask | None = None) -> MockContext:
    return cast(MockContext, (app or current_app).extensions[EXTENSION_KEY])
