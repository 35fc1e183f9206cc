"""Routes come from the spec: each operation bound to the handler of its operationId, checked at start-up."""

from __future__ import annotations

import pytest

from mock_server import MockConfig, create_app
from mock_server.views import routing


@pytest.mark.parametrize(
    "path", ["/oauth/authorize", "/partner/v1/query/heart_beat", "/partner/v1/query/step", "/partner/v1/query/sleep"]
)
def test_the_app_serves_the_four_documented_operations(path: str) -> None:
    # Routes come from the spec: an operation it lacks would be a 404 here, another method a 405.
    answer = create_app(MockConfig()).test_client().get(path)
    assert answer.status_code not in (404, 405), (path, answer.status_code)


def test_start_up_fails_when_an_operation_has_no_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_server.views import query

    every = query.handlers
    monkeypatch.setattr(query, "handlers", lambda spec: {k: v for k, v in every(spec).items() if k != "querySleep"})
    with pytest.raises(routing.SpecMismatch, match="querySleep"):
        create_app(MockConfig())


def test_start_up_fails_when_a_handler_has_no_operation(monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_server.views import query

    every = query.handlers
    monkeypatch.setattr(query, "handlers", lambda spec: {**every(spec), "queryCalories": every(spec)["queryStep"]})
    with pytest.raises(routing.SpecMismatch, match="queryCalories"):
        create_app(MockConfig())
