"""The deferred app behind the front: built once, in the background or by the first request that
needs it (what a worker answers before it is built: serving/test_startup.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

import pytest

from mock_server.front import DeferredApp


def _answering(text: bytes) -> Any:
    def app(_environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [])
        return [text]

    return app


def test_the_deferred_app_is_built_once_however_many_requests_wait_for_it() -> None:
    builds: list[int] = []

    def build() -> Any:
        builds.append(1)
        time.sleep(0.05)  # long enough for every caller to be waiting on the lock
        return _answering(b"built")

    deferred = DeferredApp(build)
    answers: list[bytes] = []
    callers = [
        threading.Thread(target=lambda: answers.append(b"".join(deferred({}, lambda *_: None)))) for _ in range(8)
    ]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert builds == [1] and answers == [b"built"] * 8


def test_started_the_deferred_app_is_built_in_the_background() -> None:
    built = threading.Event()

    def build() -> Any:
        built.set()
        return _answering(b"ready")

    deferred = DeferredApp(build)
    deferred.start()
    assert built.wait(10)
    assert b"".join(deferred({}, lambda *_: None)) == b"ready"


def test_a_build_that_failed_in_the_background_fails_the_request_that_needs_it_with_the_reason() -> None:
    attempts: list[int] = []

    def build() -> Any:
        attempts.append(1)
        raise RuntimeError("the spec has an operation without a handler")

    deferred = DeferredApp(build)
    deferred.start()
    for _ in range(1000):
        if attempts:
            break
        time.sleep(0.01)
    with pytest.raises(RuntimeError, match="without a handler"):
        deferred({}, lambda *_: None)
    assert len(attempts) == 2
