"""Property tests of the pure data engine: every spec rule, determinism, range independence."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from cudis_spec import RangeContext, check_data, load_spec
from mock_server.people import Fixtures, load_fixtures
from mock_server.synth import METRICS, DataEngine, Metric

from ...conftest import FIXED_NOW

DAY = 86400
SCHEMAS = {"heart_beat": "HeartBeatData", "step": "StepData", "sleep": "SleepData"}
USERS = sorted(load_fixtures().users)
FIRST = datetime(2023, 1, 1, tzinfo=UTC).timestamp()

seeds = st.integers(min_value=0, max_value=2**32)
users = st.sampled_from(USERS)
metrics = st.sampled_from(METRICS)
instants = st.floats(min_value=FIRST, max_value=FIXED_NOW + 5 * DAY)
spans = st.floats(min_value=0, max_value=120 * DAY)


def all_rules(metric: Metric) -> list[dict[str, object]]:
    """Vendor rules and the mock's assumptions: the mock must obey both."""
    return load_spec().api.raw["components"]["schemas"][SCHEMAS[metric]]["x-cudis-rules"]  # type: ignore[no-any-return]


@given(seed=seeds, user=users, metric=metrics, start=instants, span=spans, empty=st.sampled_from(["omit", "zero"]))
def test_every_answer_obeys_every_rule(
    fixtures: Fixtures, seed: int, user: str, metric: Metric, start: float, span: float, empty: str
) -> None:
    engine = DataEngine(seed, fixtures.users)
    data = engine.answer(metric, user, start, start + span, FIXED_NOW, empty)  # type: ignore[arg-type]
    context = RangeContext(start=start, end=start + span, now=FIXED_NOW)
    assert check_data(all_rules(metric), data, context) == []


@given(seed=seeds, user=users, metric=metrics, start=instants, a=spans, b=spans)
def test_a_days_values_do_not_depend_on_the_range_asked(
    fixtures: Fixtures, seed: int, user: str, metric: Metric, start: float, a: float, b: float
) -> None:
    engine = DataEngine(seed, fixtures.users)
    short = engine.answer(metric, user, start, start + min(a, b), FIXED_NOW, "omit")
    fresh = DataEngine(seed, fixtures.users)  # a new engine: no shared cache
    long = fresh.answer(metric, user, start - 10 * DAY, start + max(a, b), FIXED_NOW, "omit")
    by_date = {item["date"]: item for item in long["list"]}
    for item in short["list"]:
        assert by_date[item["date"]] == item


@given(seed=seeds, user=users, metric=metrics, start=instants, span=spans)
def test_no_day_is_the_users_current_day_or_later(
    engine: DataEngine, seed: int, user: str, metric: Metric, start: float, span: float
) -> None:
    data = engine.answer(metric, user, start, start + span + 30 * DAY, FIXED_NOW, "zero")
    today = engine.today(user, FIXED_NOW)
    assert all(date.fromisoformat(item["date"]) < today for item in data["list"])


def test_values_survive_a_restart_in_another_process(engine: DataEngine) -> None:
    """A fresh interpreter with another hash seed computes the same answer."""
    end = FIRST + 90 * DAY
    code = (
        "import json; from mock_server.people import load_fixtures; from mock_server.synth import DataEngine;"
        "e = DataEngine(42, load_fixtures().users);"
        f"print(json.dumps(e.answer('sleep', 'typical', {FIRST}, {end}, {FIXED_NOW}, 'omit')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "12345"}
    )
    assert json.loads(out.stdout) == engine.answer("sleep", "typical", FIRST, FIRST + 90 * DAY, FIXED_NOW, "omit")


def test_different_seeds_give_different_worlds(fixtures: Fixtures) -> None:
    a = DataEngine(1, fixtures.users).answer("step", "typical", FIRST, FIRST + 30 * DAY, FIXED_NOW, "omit")
    b = DataEngine(2, fixtures.users).answer("step", "typical", FIRST, FIRST + 30 * DAY, FIXED_NOW, "omit")
    assert a != b


def test_doc_example_user_reproduces_the_vendor_examples(engine: DataEngine) -> None:
    spec = load_spec()
    start = datetime(2024, 9, 15, tzinfo=UTC).timestamp()
    end = datetime(2024, 9, 19, tzinfo=UTC).timestamp()
    for metric, op in (("heart_beat", "queryHeartBeat"), ("step", "queryStep"), ("sleep", "querySleep")):
        example = spec.operations[op].raw["responses"]["200"]["content"]["application/json"]["examples"]
        assert (
            engine.answer(metric, "doc-example", start, end, FIXED_NOW, "omit")
            == example["vendorSuccess"]["value"]["data"]
        )  # type: ignore[arg-type]


def test_new_user_has_no_complete_day_and_no_data_user_has_nothing(engine: DataEngine) -> None:
    for user in ("new-user", "no-data"):
        for metric in METRICS:
            data = engine.answer(metric, user, FIXED_NOW - 400 * DAY, FIXED_NOW, FIXED_NOW, "omit")
            assert data["list"] == []
    assert engine.answer("step", "no-data", FIXED_NOW - 10 * DAY, FIXED_NOW, FIXED_NOW, "omit") == {
        "countStep": 0,
        "list": [],
    }


def test_zero_mode_lists_every_day_of_the_range(engine: DataEngine) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    data = engine.answer("step", "sparse", start, start + 30 * DAY, FIXED_NOW, "zero")
    omitted = engine.answer("step", "sparse", start, start + 30 * DAY, FIXED_NOW, "omit")
    assert len(data["list"]) == 30 or len(data["list"]) == 31  # Europe/London: the UTC range spans 30 or 31 local days
    assert len(omitted["list"]) < len(data["list"])
    assert data["countStep"] == omitted["countStep"]


def test_dates_are_the_users_local_dates(engine: DataEngine) -> None:
    """The same UTC instant is already the next day at UTC+14 and still the day before at UTC-12."""
    noon = datetime(2026, 3, 10, 12, tzinfo=UTC).timestamp()
    assert engine.today("kiritimati", noon) == date(2026, 3, 11)
    assert engine.today("baker-island", noon) == date(2026, 3, 10)
    evening = datetime(2026, 3, 10, 13, tzinfo=UTC).timestamp()
    assert engine.today("baker-island", evening) == date(2026, 3, 10)
    assert engine.today("baker-island", datetime(2026, 3, 11, 11, tzinfo=UTC).timestamp()) == date(2026, 3, 10)
