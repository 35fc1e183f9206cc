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


class KeyedRandom:
    """A deterministic stream of random numbers for one key."""

    __slots__ = ("_state",)

    def __init__(self, *key: object) -> None:
        material = "\x1f".join(str(part) for part in key).encode("utf-8")
        self._state = int.from_bytes(hashlib.blake2b(material, digest_size=8).digest(), "big")

    def _next(self) -> int:
        self._state = (self._state + 0x9E3779B97F4A7C15) & _MASK
        z = self._state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def random(self) -> float:
        """A float in [0, 1)."""
        return (self._next() >> 11) * (1.0 / (1 << 53))

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def gauss(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        """A normal draw (Box-Muller; one draw per call keeps streams simple)."""
        u1 = self.random() or 1e-12
        u2 = self.random()
        return mu + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def lognormal_factor(self, sigma: float) -> float:
        """A multiplicative factor with median 1 and log-spread sigma."""
        return math.exp(self.gauss(0.0, sigma))

    def chance(self, probability: float) -> bool:
        return self.random() < probability
