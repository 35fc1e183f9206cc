"""The spec's assumptions (`info.x-cudis-assumptions`): where the vendor's page is silent and the spec chose."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Assumption:
    id: str
    text: str
    """One paragraph: what the page leaves open, what the spec assumes, and why."""


class Assumptions(Mapping[str, Assumption]):
    """The assumptions by id; looking up an id the spec does not list is an error."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self._by_id = {str(e["id"]): Assumption(str(e["id"]), " ".join(str(e["text"]).split())) for e in entries}

    def __getitem__(self, assumption_id: str) -> Assumption:
        try:
            return self._by_id[assumption_id]
        except KeyError:
            raise KeyError(f"no assumption {assumption_id!r} in x-cudis-assumptions") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def text(self, assumption_id: str) -> str:
        return self[assumption_id].text
