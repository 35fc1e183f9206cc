"""What the mock keeps per process stays bounded: problems, and tokens long expired."""

from __future__ import annotations

from flask import Flask

from mock_server.context import PRUNE_AFTER, PRUNE_EVERY, Recent, mock_context
from mock_server.oauth.tokens import mint
from mock_server.state.store import ClockState

from ..conftest import FIXED_NOW


def test_recent_problems_keep_the_latest_and_count_the_rest() -> None:
    recent = Recent(size=3, text_bytes=10)
    recent.extend(f"problem {i}" for i in range(5))
    recent.append("x" * 25)
    assert recent == ["problem 3", "problem 4", "x" * 10 + "…(15 more characters)"]
    assert recent.dropped == 3
    recent.clear()
    assert recent == [] and recent.dropped == 0


def test_a_failing_request_sent_again_and_again_keeps_at_most_a_hundred_errors(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom " + "x" * 20_000)

    client = app.test_client()
    for _ in range(300):
        assert client.get("/boom").status_code == 500
    errors = mock_context(app).errors
    assert len(errors) == 100 and errors.dropped == 200
    assert all(len(e) < 8300 for e in errors)


def test_long_expired_tokens_are_pruned_as_new_ones_are_issued(app: Flask) -> None:
    mock = mock_context(app)
    mock.store.set_clock_state(ClockState(frozen_at=FIXED_NOW))
    old = [mint("cudis-wellness", "typical", ("daily",), FIXED_NOW - PRUNE_AFTER - 100, 10)[1] for _ in range(50)]
    recent = mint("cudis-wellness", "typical", ("daily",), FIXED_NOW - 100, 10)[1]  # expired, but only just
    for record in [*old, recent]:
        mock.store.add_token(record)
    with app.app_context():
        for _ in range(PRUNE_EVERY):
            mock.issue_token(mint("cudis-wellness", "typical", ("daily",), FIXED_NOW, 3600)[1])
    assert all(mock.store.get_token(r.digest) is None for r in old)
    assert mock.store.get_token(recent.digest) == recent
