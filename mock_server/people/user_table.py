"""Users of a large fixture file, kept compressed and read when asked for.

100,000 users as Python objects took about 0.7 KB each (profile, account, their strings and two
dictionary entries), so the mock's memory grew with the fixtures. A `UserTable` keeps instead the
file's text of each user item, zlib-compressed in blocks of `BLOCK` items (YAML of similar users
compresses about tenfold), the ids in one compressed string, and a sorted array of the ids'
hashes. A user is parsed from its block on first use and the latest `CACHE_SIZE` stay built.
Every item was checked and converted once while loading, so reading one again cannot fail.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any, Generic, TypeVar

import yaml

from .yaml_reader import FAST_LOADER

BLOCK = 64
CACHE_SIZE = 4096
V = TypeVar("V")


class Duplicate(Exception):
    """Two items with the same id or username (or, once in 2**64, the same hash of one)."""


class UserTableBuilder:
    """Collects the items' text while a users file is loaded item by item."""

    def __init__(self) -> None:
        self._blocks: list[bytes] = []
        self._pending: list[str] = []
        self._ids = zlib.compressobj()
        self._id_chunks: list[bytes] = []
        self._hashes = array("q")
        self._username_hashes = array("q")
        self._username_positions = array("l")

    def add(self, user_id: str, username: str | None, item_text: str) -> None:
        """`item_text`: YAML text whose value is the user's mapping."""
        self._id_chunks.append(self._ids.compress((user_id + "\x00").encode("utf-8")))
        self._hashes.append(hash(user_id))
        if username is not None:
            self._username_hashes.append(hash(username))
            self._username_positions.append(len(self._hashes) - 1)
        self._pending.append(item_text)
        if len(self._pending) == BLOCK:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._blocks.append(zlib.compress("\x00".join(self._pending).encode("utf-8")))
            self._pending = []

    def build(self, convert: Callable[[int, dict[str, Any]], tuple[Any, Any]]) -> UserTable:
        """The table; `convert(index, item)` makes the (profile, account) of an item.

        Raises Duplicate when two ids or two usernames hash alike (the caller then loads the
        file the plain way, which names the duplicate).
        """
        self._flush()
        ids = b"".join([*self._id_chunks, self._ids.flush()])
        by_id = _sorted_index(self._hashes, array("l", range(len(self._hashes))))
        by_username = _sorted_index(self._username_hashes, self._username_positions)
        return UserTable(self._blocks, ids, len(self._hashes), by_id, by_username, convert)


def _sorted_index(hashes: array[int], positions: array[int]) -> tuple[array[int], array[int]]:
    """`hashes` sorted, with the positions beside them; Duplicate when two are equal."""
    order = sorted(range(len(hashes)), key=hashes.__getitem__)
    keys = array("q", (hashes[i] for i in order))
    if any(keys[i] == keys[i - 1] for i in range(1, len(keys))):
        raise Duplicate
    return keys, array("l", (positions[i] for i in order))


class UserTable:
    """The users of one file, by id, in file order; built on demand."""

    def __init__(
        self,
        blocks: list[bytes],
        ids: bytes,
        count: int,
        by_id: tuple[array[int], array[int]],
        by_username: tuple[array[int], array[int]],
        convert: Callable[[int, dict[str, Any]], Any],
    ) -> None:
        self._blocks = blocks
        self._count = count
        self._ids = ids
        self._by_id = by_id
        self._by_username = by_username
        self._convert = convert
        self._entry = lru_cache(maxsize=CACHE_SIZE)(self._make_entry)
        self.profiles: Mapping[str, Any] = UserTableView(self, 0)
        self.accounts: Mapping[str, Any] = UserTableView(self, 1)

    def __len__(self) -> int:
        return self._count

    def ids(self) -> list[str]:
        return zlib.decompress(self._ids).decode("utf-8").split("\x00")[: self._count]

    def _make_entry(self, index: int) -> tuple[Any, Any]:
        block = zlib.decompress(self._blocks[index // BLOCK]).decode("utf-8").split("\x00")
        item = yaml.load(block[index % BLOCK], Loader=FAST_LOADER)
        return self._convert(index, item)  # type: ignore[no-any-return]

    def _find(self, index: tuple[array[int], array[int]], key: str) -> int | None:
        hashes, positions = index
        at = bisect_left(hashes, hash(key))
        return positions[at] if at < len(hashes) and hashes[at] == hash(key) else None

    def entry(self, user_id: str) -> tuple[Any, Any] | None:
        """(profile, account) of `user_id`, or None."""
        position = self._find(self._by_id, user_id)
        if position is not None:
            entry = self._entry(position)
            if entry[0].id == user_id:
                return entry
        return None

    def account_by_username(self, username: str) -> Any:
        """The first account in file order whose username is `username` (a user without one
        signs in with the id), or None."""
        found = [
            (position, entry[1])
            for position in (self._find(self._by_username, username), self._find(self._by_id, username))
            if position is not None
            for entry in [self._entry(position)]
            if entry[1].username == username
        ]
        return min(found, key=lambda pair: pair[0])[1] if found else None


class UserTableView(Mapping[str, V], Generic[V]):
    """Profiles (part 0) or accounts (part 1) of a UserTable, as a read-only mapping."""

    def __init__(self, table: UserTable, part: int) -> None:
        self._table = table
        self._part = part

    def __getitem__(self, user_id: str) -> V:
        entry = self._table.entry(user_id)
        if entry is None:
            raise KeyError(user_id)
        return entry[self._part]  # type: ignore[no-any-return]

    def __contains__(self, user_id: object) -> bool:
        return isinstance(user_id, str) and self._table.entry(user_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.ids())

    def __len__(self) -> int:
        return len(self._table)

    @property
    def table(self) -> UserTable:
        return self._table
