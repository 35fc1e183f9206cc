"""Scenarios: faults (and a clock) applied at start-up with --scenario, and again by every reset."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server import MockConfig, create_app
from mock_server.cli import main
from mock_server.state.scenarios import ScenarioError, builtin_names

RANGE = {"startTime": 1726358400, "endTime": 1726704000}


def test_the_built_in_scenarios() -> None:
    assert {"step-and-sleep-not-yet-available", "flaky", "slow", "rate-limited", "session-expired"} <= set(
        builtin_names()
    )
    for name in builtin_names():
        create_app(MockConfig(scenario=Path(name)))  # each one loads and checks


def test_step_and_sleep_not_yet_available() -> None:
    app = create_app(MockConfig(validate_responses=True, scenario=Path("step-and-sleep-not-yet-available")))
    client = app.test_client()
    token = client.post("/__mock__/tokens").json["access_token"]
    auth = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    codes = {
        m: client.get(f"/partner/v1/query/{m}", json=RANGE, headers=auth).json for m in ("heart_beat", "step", "sleep")
    }
    assert codes["heart_beat"]["code"] == 200
    for metric in ("step", "sleep"):
        assert codes[metric]["code"] == 50100 and codes[metric]["data"] is None
        assert "In Development, Not Yet Available" in codes[metric]["msg"]
    client.post("/__mock__/reset")
    # The reset forgot the token but kept the scenario (a fault answers before credentials are checked).
    assert client.get("/partner/v1/query/heart_beat", json=RANGE, headers=auth).json["code"] == 20007
    assert client.get("/partner/v1/query/step", json=RANGE, headers=auth).json["code"] == 50100
    assert [f["endpoint"] for f in client.get("/__mock__/faults").json["faults"]] == [
        "/partner/v1/query/step",
        "/partner/v1/query/sleep",
    ]


def test_a_scenario_file_with_a_clock(tmp_path: Path) -> None:
    scenario = tmp_path / "frozen.yaml"
    scenario.write_text("clock: {now: 1726704000}\nfaults:\n  - {kind: latency, ms: 5}\n")
    client = create_app(MockConfig(scenario=scenario)).test_client()
    assert client.get("/__mock__/clock").json["now"] == 1726704000
    assert client.get("/__mock__/faults").json["faults"][0]["ms"] == 5


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("faults:\n  - {kind: status}\n", "faults/0/status: is required for a status fault"),
        ("faults:\n  - {kind: boom}\n", "faults/0/kind"),
        ("fault: []\n", "'fault' was unexpected"),
        ("faults: [\n", "not valid YAML"),
    ],
)
def test_a_broken_scenario_is_refused_at_start_up(tmp_path: Path, text: str, says: str) -> None:
    scenario = tmp_path / "broken.yaml"
    scenario.write_text(text)
    with pytest.raises(ScenarioError, match=says) as caught:
        create_app(MockConfig(scenario=scenario))
    assert str(scenario) in str(caught.value)


def test_serve_exits_2_on_an_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0", "--scenario", "no-such-scenario"]) == 2
    assert "built-in: " in capsys.readouterr().err
