"""Population users: `--population N` or `PERSONA:N`, the same people for the same seed, in any process."""

from __future__ import annotations

from collections import Counter

import pytest

from mock_server.people import load_fixtures
from mock_server.qa.population import PopulationSpec, parse_population, population_size, population_users
from mock_server.synth import Persona


@pytest.fixture(scope="module")
def personas() -> dict[str, Persona]:
    return load_fixtures().personas


def test_a_count_or_a_persona_and_a_count(personas: dict[str, Persona]) -> None:
    assert parse_population("10000", personas) == PopulationSpec(10000)
    assert parse_population("athlete:3", personas) == PopulationSpec(3, "athlete")
    specs = [PopulationSpec(10000), PopulationSpec(3, "athlete")]
    assert population_size(specs) == 10003


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0", "at least 1"),
        ("athlete:-2", "at least 1"),
        ("lots", "PERSONA:COUNT"),
        ("athlete:", "PERSONA:COUNT"),
        ("jogger:5", "unknown persona 'jogger' (known: athlete"),
    ],
)
def test_a_bad_population_says_what_to_write(personas: dict[str, Persona], text: str, says: str) -> None:
    with pytest.raises(ValueError, match=r"--population") as refused:
        parse_population(text, personas)
    assert says in str(refused.value)


def test_ids_are_numbered_from_one_and_padded_to_sort_in_order(personas: dict[str, Persona]) -> None:
    users = list(population_users(1, [PopulationSpec(3), PopulationSpec(2, "athlete")], personas))
    assert [u.id for u in users] == ["pop-00001", "pop-00002", "pop-00003", "pop-athlete-00001", "pop-athlete-00002"]
    assert PopulationSpec(1_000_000).user_id(42) == "pop-0000042"
    ids = [PopulationSpec(1_000_000).user_id(i) for i in (9, 10, 999_999, 1_000_000)]
    assert ids == sorted(ids)


def test_the_same_seed_gives_the_same_people_and_another_seed_others(personas: dict[str, Persona]) -> None:
    spec = [PopulationSpec(40)]
    first = [(u.id, u.persona.name, u.timezone) for u in population_users(7, spec, personas)]
    again = [(u.id, u.persona.name, u.timezone) for u in population_users(7, spec, personas)]
    other = [(u.id, u.persona.name, u.timezone) for u in population_users(8, spec, personas)]
    assert first == again and first != other
    # Equal weight across personas: each appears among 40 users.
    assert set(Counter(persona for _id, persona, _tz in first)) == set(personas)


def test_a_persona_population_has_that_persona_and_lives_where_it_lives(personas: dict[str, Persona]) -> None:
    users = list(population_users(3, [PopulationSpec(30, "athlete")], personas))
    assert {u.persona.name for u in users} == {"athlete"}
    assert {u.timezone for u in users} <= set(personas["athlete"].timezones)
    assert all(u.name == u.id for u in users)
