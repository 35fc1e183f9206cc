"""The day model's random numbers: chosen draws of each day's `KeyedRandom` stream, computed side by side.

`KeyedRandom(seed, user, iso_day).random()` is SplitMix64: its n-th draw (from 0) mixes the state
`key + (n + 1) * GOLDEN`, so any draw can be computed without the ones before it. `draws` lays the
states of every asked draw of every asked day side by side in one Python integer, one 128-bit lane
each, and mixes them all at once: a lane's product of two 64-bit numbers fits its 128 bits, and the
bits a right shift moves in from the lane above are masked off, so every lane computes what the
step-by-step generator does (tests/mock_server/synth/test_draws.py checks them against it). A
range of years is one integer; one day is a range of one.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

from .rng import _GOLDEN, _MASK, _MIX1, _MIX2, _UNIT

_blake2b = hashlib.blake2b
_LANE = b"\xff" * 8 + b"\x00" * 8
"""One lane of the mask: its low 64 bits."""


@dataclass(frozen=True, slots=True)
class DrawSet:
    """Which draws of a day's stream to compute (0 is the first), in the order they are returned."""

    positions: tuple[int, ...]
    ones: int = field(init=False, repr=False, compare=False)
    """1 in every lane of one day: a day's key times this is the key in each lane."""
    steps: int = field(init=False, repr=False, compare=False)
    """Each lane's step from the key: (position + 1) * GOLDEN."""
    mask: int = field(init=False, repr=False, compare=False)
    size: int = field(init=False, repr=False, compare=False)
    """Bytes of one day's lanes."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "ones", sum(1 << (128 * lane) for lane in range(len(self.positions))))
        steps = sum((((n + 1) * _GOLDEN) & _MASK) << (128 * lane) for lane, n in enumerate(self.positions))
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "mask", _MASK * self.ones)
        object.__setattr__(self, "size", 16 * len(self.positions))

    def __len__(self) -> int:
        return len(self.positions)


def draws(seed: int, user_id: str, iso_days: Sequence[str], wanted: DrawSet) -> list[float]:
    """`wanted`'s draws of `KeyedRandom(seed, user_id, d).random()` for each d of `iso_days`, day after day."""
    prefix = f"{seed}\x1f{user_id}\x1f".encode()
    ones, steps, count = wanted.ones, wanted.steps, len(iso_days)
    # A lane's key + step may carry into bit 64: the bit stays in its own lane until the mask drops it.
    if count == 1:  # most calls: without the bytes round trip a one-day call costs a quarter less
        z = int.from_bytes(_blake2b(prefix + iso_days[0].encode(), digest_size=8).digest(), "big") * ones + steps
        mask = wanted.mask
    else:
        keys = [int.from_bytes(_blake2b(prefix + day.encode(), digest_size=8).digest(), "big") for day in iso_days]
        size = wanted.size
        z = int.from_bytes(b"".join([(key * ones + steps).to_bytes(size, "little") for key in keys]), "little")
        mask = int.from_bytes(_LANE * (len(wanted) * count), "little")
    z &= mask
    z = ((z ^ (z >> 30)) & mask) * _MIX1 & mask
    z = ((z ^ (z >> 27)) & mask) * _MIX2 & mask
    z = (z ^ (z >> 31)) & mask
    words = array("Q", z.to_bytes(wanted.size * count, "little"))
    if sys.byteorder == "big":
        words.byteswap()
    return [(word >> 11) * _UNIT for word in words[::2]]
