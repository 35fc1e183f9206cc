"""A small counter-free PRNG keyed by (seed, user, date, stream).

`random.Random(seed)` costs about 5 µs to construct, which dominated generation
(see shared/notes/performance-baseline.md). A BLAKE2b digest of the key seeds a
SplitMix64 stream instead: cheap to create, identical on every platform and
process, and independent of Python's hash randomisation.
"""

from __future__ import annotations

import hashlib
import math

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB
_UNIT = 1.0 / (1 << 53)
_TWO_PI = 2.0 * math.pi
_sqrt, _log, _cos = math.sqrt, math.log, math.cos


class KeyedRandom:
    """A deterministic stream of random numbers for one key."""

    __slots__ = ("_state",)

    def __init__(self, *key: object) -> None:
        material = "\x1f".join(str(part) for part in key).encode("utf-8")
        self._state = int.from_bytes(hashlib.blake2b(material, digest_size=8).digest(), "big")

    # SplitMix64, written out inside each method: generating a year of days makes millions of
    # draws, and a method call per step doubled their cost. Every method draws the same numbers
    # in the same order as the plain composition (random = next >> 11 scaled; gauss = two randoms).

    def random(self) -> float:
        """A float in [0, 1)."""
        self._state = state = (self._state + _GOLDEN) & _MASK
        z = ((state ^ (state >> 30)) * _MIX1) & _MASK
        z = ((z ^ (z >> 27)) * _MIX2) & _MASK
        return ((z ^ (z >> 31)) >> 11) * _UNIT

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def gauss(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        """A normal draw (Box-Muller; one draw per call keeps streams simple)."""
        state = (self._state + _GOLDEN) & _MASK
        z = ((state ^ (state >> 30)) * _MIX1) & _MASK
        z = ((z ^ (z >> 27)) * _MIX2) & _MASK
        u1 = ((z ^ (z >> 31)) >> 11) * _UNIT or 1e-12
        self._state = state = (state + _GOLDEN) & _MASK
        z = ((state ^ (state >> 30)) * _MIX1) & _MASK
        z = ((z ^ (z >> 27)) * _MIX2) & _MASK
        u2 = ((z ^ (z >> 31)) >> 11) * _UNIT
        return mu + sigma * _sqrt(-2.0 * _log(u1)) * _cos(_TWO_PI * u2)

    def lognormal_factor(self, sigma: float) -> float:
        """A multiplicative factor with median 1 and log-spread sigma."""
        return math.exp(self.gauss(0.0, sigma))

    def chance(self, probability: float) -> bool:
        return self.random() < probability
