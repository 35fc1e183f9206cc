"""What the fixtures hold once loaded: the clients, the users' accounts, and the whole set."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..synth.profiles import Persona, UserProfile
from .user_table import UserTableView


@dataclass(frozen=True)
class Client:
    id: str
    name: str
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...] = ("daily",)
    description: str = ""


@dataclass(frozen=True, slots=True)
class UserAccount:
    """How a user signs in on the consent page, beside their data profile."""

    id: str
    name: str
    username: str
    password: str
    description: str = ""


@dataclass(frozen=True)
class Fixtures:
    clients: dict[str, Client]
    users: Mapping[str, UserProfile]
    accounts: Mapping[str, UserAccount]
    personas: dict[str, Persona]
    source: Path
    recordings: Mapping[tuple[str, str, float, float], str] = field(default_factory=dict)
    """Recorded `data` JSON text by (user id, metric, startTime, endTime): see recordings.py."""

    @property
    def default_client(self) -> Client:
        return next(iter(self.clients.values()))

    @property
    def default_user(self) -> UserProfile:
        return next(iter(self.users.values()))

    def account_by_username(self, username: str) -> UserAccount | None:
        """The first account (in file order) whose username is `username`."""
        if isinstance(self.accounts, UserTableView):
            found: UserAccount | None = self.accounts.table.account_by_username(username)
            return found
        return next((a for a in self.accounts.values() if a.username == username), None)
