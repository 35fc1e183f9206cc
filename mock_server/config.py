"""The mock's configuration: one frozen record, read from the environment and CLI flags here only."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

ENV_PREFIX = "CUDIS_MOCK_"


@dataclass(frozen=True)
class MockConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    seed: int = 42
    fixtures: Path | None = None
    """A directory with clients.yaml, users.yaml, personas.yaml; None for the built-in set."""
    error_status: Literal["200", "mapped"] = "200"
    empty_days: Literal["omit", "zero"] = "omit"
    validate_responses: bool = False
    """Check every response against the spec and its rules (tests turn this on)."""
    max_body_bytes: int = 64 * 1024
    token_lifetime: int = 30 * 24 * 3600
    """The page: tokens currently expire after 30 days."""
    token_in: Literal["query", "fragment"] = "query"
    auto_approve: str | None = None
    admin_token: str | None = None
    state: Path | None = None
    workers: int = 1
    scenario: Path | None = None
    """A scenario file, or the name of a built-in one (fixtures/scenarios/)."""
    journal_limit: int = 1000
    """How many API requests the journal keeps (the latest); 0 turns the journal off."""

    def __post_init__(self) -> None:
        choices = {"error_status": ("200", "mapped"), "empty_days": ("omit", "zero"), "token_in": ("query", "fragment")}
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)} (got {getattr(self, name)!r})")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535 (got {self.port})")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1 (got {self.workers})")
        if self.journal_limit < 0:
            raise ValueError(f"journal_limit must be 0 (off) or more (got {self.journal_limit})")

    def with_overrides(self, **changes: Any) -> MockConfig:
        """A copy with the non-None `changes` applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_CONVERTERS: dict[str, Any] = {
    "port": int,
    "seed": int,
    "max_body_bytes": int,
    "token_lifetime": int,
    "workers": int,
    "journal_limit": int,
    "fixtures": Path,
    "state": Path,
    "scenario": Path,
    "validate_responses": lambda v: v.strip().lower() in {"1", "true", "yes", "on"},
}


def config_from_env(environ: Mapping[str, str] | None = None, base: MockConfig | None = None) -> MockConfig:
    """Apply `CUDIS_MOCK_<FIELD>` variables (e.g. CUDIS_MOCK_SEED=7) to `base`."""
    environ = os.environ if environ is None else environ
    changes: dict[str, Any] = {}
    for f in fields(MockConfig):
        name = ENV_PREFIX + f.name.upper()
        raw = environ.get(name)
        if raw is not None and raw != "":
            try:
                changes[f.name] = _CONVERTERS.get(f.name, str)(raw)
            except ValueError:
                raise ValueError(f"{name}={raw!r} is not a valid {f.name}") from None
    return (base or MockConfig()).with_overrides(**changes)
