"""Synthesise many users from personas: `--population 10000` or `--population typical:500`.

A population user is an ordinary UserProfile whose persona and time zone are drawn
from (seed, id), so the same seed always gives the same people, in any process.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from ..synth import Persona, UserProfile
from ..synth.rng import KeyedRandom

DEFAULT_ZONE = "UTC"


@dataclass(frozen=True)
class PopulationSpec:
    count: int
    persona: str | None = None
    """None: each user's persona is drawn from all personas, with equal weight."""

    @property
    def prefix(self) -> str:
        return "pop" if self.persona is None else f"pop-{self.persona}"

    def user_id(self, index: int) -> str:
        """The id of the `index`-th user (1-based): pop-00001, pop-athlete-00042, ..."""
        return f"{self.prefix}-{index:0{max(5, len(str(self.count)))}d}"


def parse_population(text: str, personas: Mapping[str, Persona]) -> PopulationSpec:
    """`N` or `PERSONA:N`; ValueError says what to write instead."""
    persona, _, count_text = text.rpartition(":")
    try:
        count = int(count_text)
    except ValueError:
        raise ValueError(f"--population {text!r}: write a count (10000) or PERSONA:COUNT (typical:500)") from None
    if count < 1:
        raise ValueError(f"--population {text!r}: the count must be at least 1")
    if persona and persona not in personas:
        raise ValueError(f"--population {text!r}: unknown persona {persona!r} (known: {', '.join(sorted(personas))})")
    return PopulationSpec(count=count, persona=persona or None)


def _pick(rng: KeyedRandom, items: Sequence[str]) -> str:
    return items[min(len(items) - 1, int(rng.random() * len(items)))]


def population_users(
    seed: int, specs: Sequence[PopulationSpec], personas: Mapping[str, Persona]
) -> Iterator[UserProfile]:
    """The users of `specs`, one at a time (nothing is kept, so 10,000 users cost no memory)."""
    names = sorted(personas)
    for spec in specs:
        for index in range(1, spec.count + 1):
            user_id = spec.user_id(index)
            rng = KeyedRandom(seed, user_id, "population")
            persona = personas[spec.persona] if spec.persona else personas[_pick(rng, names)]
            zone = _pick(rng, persona.timezones or (DEFAULT_ZONE,))
            yield UserProfile(id=user_id, persona=persona, timezone=zone, name=user_id)


def population_size(specs: Sequence[PopulationSpec]) -> int:
    return sum(spec.count for spec in specs)
