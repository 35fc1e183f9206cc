"""Custom fixture files: a broken persona or user file is refused with the file, the line and the field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mock_server.cli import main
from mock_server.people import FixtureError, load_fixtures
from mock_server.people.files import builtin_fixtures_dir
from mock_server.synth import DataEngine

PERSONAS = """\
personas:
  runner:
    description: Runs before work.
    steps: {median: 11000, spread: 0.3}
    heart: {resting: 52}
    sleep: {hours: 7.5}
    wear: {day: 0.98, night: 0.95}
    trend: {steps_per_year: 0.1, resting_per_year: -1}
    timezones: [Europe/Paris]
"""
USERS = """\
users:
  - id: rita
    persona: runner
    timezone: Europe/Paris
    gaps:
      - {from: "2025-02-01", to: "2025-02-10"}
"""


def _fixtures(tmp_path: Path, personas: str = PERSONAS, users: str = USERS) -> Path:
    directory = tmp_path / "fixtures"
    directory.mkdir(exist_ok=True)
    (directory / "clients.yaml").write_text((builtin_fixtures_dir() / "clients.yaml").read_text())
    (directory / "personas.yaml").write_text(personas)
    (directory / "users.yaml").write_text(users)
    return directory


def test_a_custom_persona_drives_the_data(tmp_path: Path) -> None:
    fixtures = load_fixtures(_fixtures(tmp_path))
    rita = fixtures.users["rita"]
    assert rita.persona.steps.median == 11000 and rita.persona.timezones == ("Europe/Paris",)
    engine = DataEngine(42, fixtures.users)
    january = [engine.day_values("rita", date(2025, 1, d)) for d in range(1, 29)]
    steps = sorted(v.step.y for v in january if v.step is not None)
    assert 6000 < steps[len(steps) // 2] < 20000
    in_gap = engine.day_values("rita", date(2025, 2, 5))
    assert (in_gap.heart_beat, in_gap.step, in_gap.sleep) == (None, None, None)


@pytest.mark.parametrize(
    ("text", "line", "field", "problem"),
    [
        (PERSONAS.replace("hours: 7.5", "hours: 30"), 6, "personas.runner.sleep.hours", "30 is greater than"),
        (PERSONAS.replace("spread: 0.3", "sprad: 0.3"), 4, "personas.runner.steps.sprad", "unknown field"),
        (PERSONAS.replace("resting: 52", "resting: fast"), 5, "personas.runner.heart.resting", "is not of type"),
        (
            PERSONAS.replace("[Europe/Paris]", "[Europe/Paris, Mars/Olympus]"),
            9,
            "personas.runner.timezones[1]",
            "unknown time zone",
        ),
        (
            PERSONAS.replace("{hours: 7.5}", "{hours: 7.5, min_hours: 9, max_hours: 8}"),
            6,
            "personas.runner.sleep.min_hours",
            "must not be above max_hours",
        ),
        (
            PERSONAS.replace("{resting: 52}", "{resting: 52, floor: 100, ceiling: 105}"),
            5,
            "personas.runner.heart.floor",
            "at least 10 bpm below",
        ),
        (
            PERSONAS.replace("resting_per_year: -1", "resting_per_year: -1, anchor: '2024-02-30'"),
            8,
            "personas.runner.trend.anchor",
            "not a calendar date",
        ),
        ("personas:\n  runner: {steps: {median: 100}\n", 3, "", "not valid YAML"),
    ],
)
def test_an_invalid_persona_file_is_refused_with_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, problem: str
) -> None:
    directory = _fixtures(tmp_path, personas=text)
    with pytest.raises(FixtureError) as error:
        load_fixtures(directory)
    assert error.value.path == directory / "personas.yaml"
    assert (error.value.line, error.value.field) == (line, field)
    assert problem in error.value.problem
    assert str(error.value).startswith(f"{directory / 'personas.yaml'}:{line}: ")


def test_a_reversed_gap_is_refused_with_its_line(tmp_path: Path) -> None:
    directory = _fixtures(tmp_path, users=USERS.replace('to: "2025-02-10"', 'to: "2025-01-10"'))
    with pytest.raises(FixtureError) as error:
        load_fixtures(directory)
    assert (error.value.line, error.value.field) == (6, "users[0].gaps[0].to")
    assert "before from" in error.value.problem


def test_generate_refuses_a_broken_persona_file_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = _fixtures(tmp_path, personas=PERSONAS.replace("hours: 7.5", "hours: 30"))
    assert main(["generate", "--fixtures", str(directory), "--from", "2025-01-01", "--to", "2025-01-02"]) == 2
    assert f"{directory / 'personas.yaml'}:6: personas.runner.sleep.hours:" in capsys.readouterr().err
