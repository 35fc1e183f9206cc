"""Implementations for the suite to judge: the reference (correct) and its one-defect variants, on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest

from contract_tests.runner import Report, SuiteOptions, run_suite

from ..servers import in_thread
from .implementations.reference import CLIENT_ID, EXPIRED_TOKEN, TOKEN, Behaviour, create_reference_app

QUICK = 1
"""Generated requests per generator in these tests: the hand-picked cases carry the detection."""


def judge(base_url: str, *, max_examples: int = QUICK, operations: tuple[str, ...] | None = None) -> Report:
    """The suite's report on the reference implementation (credentials and all) at `base_url`."""
    return run_suite(
        SuiteOptions(
            base_url=base_url,
            client_id=CLIENT_ID,
            token=TOKEN,
            expired_token=EXPIRED_TOKEN,
            max_examples=max_examples,
            seed=4,
            operations=operations,
        )
    )


@pytest.fixture
def serve_reference() -> Iterator[Callable[[Behaviour], AbstractContextManager[str]]]:
    """Serve the reference implementation with a behaviour; yields its base URL."""

    def _serve(behaviour: Behaviour) -> AbstractContextManager[str]:
        return in_thread(create_reference_app(behaviour))

    yield _serve


@pytest.fixture(scope="module")
def reference_url() -> Iterator[str]:
    """The correct reference implementation, served once per module."""
    with in_thread(create_reference_app(Behaviour())) as base_url:
        yield base_url
