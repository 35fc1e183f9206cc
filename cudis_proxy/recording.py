"""`--record DIR`: every successful exchange into a fixtures directory that `cudis-mock serve --fixtures DIR` loads.

The directory holds clients.yaml (the client ids the requests carried), users.yaml (the
recorded user, its days pinned to the recorded values), personas.yaml (a persona named after the user,
fitted to them) and recordings.yaml (each answer's `data`, byte for byte). Nothing that authenticates
is written: no token, no header, no password. Recording into a directory that has a
recording merges with it; a different answer for a request already recorded is reported and
the first one kept. The worker processes of `--workers` record into one directory: each `add`
reads the files again and rewrites them under an flock on the directory itself (no lock file in it).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cudis_spec import Spec
from mock_server.http.logmask import mask_secrets
from mock_server.people.recordings import RECORDINGS_FILE, seconds_text
from mock_server.state.file_lock import ProcessFile, flocked

from .fitting import Recorded, fit

CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
LOOPBACK_REDIRECTS = ("http://127.0.0.1/callback", "http://localhost/callback")


@dataclass(frozen=True)
class Outcome:
    recorded: bool
    problem: str | None = None


def _as_sent(seconds: float) -> float | int:
    """A whole number of seconds as the integer the app most likely sent."""
    return int(seconds) if float(seconds).is_integer() else seconds


class Recorder:
    """The recording in one directory; `add` writes every file again (atomically) under a lock."""

    def __init__(self, directory: Path, user: str, upstream: str, spec: Spec) -> None:
        if not CLIENT_ID.match(user):
            raise ValueError(f"--record-user: {user!r} is not a fixture id (letters, digits, '.', '_', '-')")
        self.directory = directory
        self.user = user
        self.upstream = upstream
        self.spec = spec
        self._lock = threading.Lock()
        self._lock_file = ProcessFile(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self.recordings: list[dict[str, Any]] = []
        self.clients: list[str] = []
        self.problems: list[str] = []
        self._load()

    def _load(self) -> None:
        """What the directory holds already (this user's recordings and every client), to merge with."""
        path = self.directory / RECORDINGS_FILE
        if path.is_file():
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            self.recordings = list(document.get("recordings") or [])
        clients = self.directory / "clients.yaml"
        if clients.is_file():
            document = yaml.safe_load(clients.read_text(encoding="utf-8")) or {}
            self.clients = [c["id"] for c in document.get("clients") or [] if isinstance(c, dict) and "id" in c]

    def add(self, operation_id: str, start: float, end: float, client_id: str, data: str, now: float) -> Outcome:
        """Record one answer's `data`; a conflict with the answer recorded for the same request is reported."""
        if not CLIENT_ID.match(client_id):
            return Outcome(False, f"not recorded: client id {mask_secrets(client_id[:16])!r} is not a fixture id")
        if mask_secrets(data) != data or mask_secrets(client_id) != client_id:
            return Outcome(False, "not recorded: the answer holds something shaped like a token or a password")
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            with flocked(self._lock_file.descriptor()):
                return self._add(operation_id, start, end, client_id, data, now)

    def _add(self, operation_id: str, start: float, end: float, client_id: str, data: str, now: float) -> Outcome:
        """`add` with both locks held: what another process recorded meanwhile is read first."""
        self._load()
        for known in self.recordings:
            same = (known["user"], known["operation"], float(known["startTime"]), float(known["endTime"]))
            if same == (self.user, operation_id, float(start), float(end)):
                if known["data"] == data:
                    return Outcome(False)
                problem = (
                    f"conflict: {operation_id} startTime {seconds_text(start)} endTime {seconds_text(end)} "
                    "was recorded with other data; "
                    "the first recording is kept"
                )
                self.problems.append(problem)
                return Outcome(False, problem)
        self.recordings.append(
            {
                "user": self.user,
                "operation": operation_id,
                "startTime": _as_sent(start),
                "endTime": _as_sent(end),
                "data": data,
                "recorded_at": round(now, 3),
            }
        )
        if client_id not in self.clients:
            self.clients.append(client_id)
        self._write()
        return Outcome(True)

    def _write(self) -> None:
        metrics = {op.operation_id: op.metric for op in self.spec.queries}
        mine = [r for r in self.recordings if r["user"] == self.user]
        fitted = fit(
            [
                Recorded(metrics[r["operation"]], r["startTime"], r["endTime"], json.loads(r["data"]), r["recorded_at"])
                for r in mine
                if r["operation"] in metrics
            ]
        )
        self.directory.mkdir(parents=True, exist_ok=True)
        clients = [
            {"id": c, "name": f"Recorded client {c}", "redirect_uris": list(LOOPBACK_REDIRECTS)} for c in self.clients
        ]
        users = self._other_users()
        users.append(
            {
                "id": self.user,
                "name": f"Recorded from {self.upstream}",
                "persona": self.user,
                "timezone": fitted.timezone,
                "description": "Days pinned to the answers recorded by cudis-mock proxy; other days from the persona.",
                **({"pinned": fitted.pinned} if fitted.pinned else {}),
            }
        )
        personas = self._other_personas()
        personas[self.user] = fitted.persona
        self._dump("clients.yaml", {"clients": clients})
        self._dump("personas.yaml", {"personas": personas})
        self._dump("users.yaml", {"users": users})
        self._dump(RECORDINGS_FILE, {"upstream": self.upstream, "recordings": self.recordings})

    def _other_users(self) -> list[dict[str, Any]]:
        """Users another --record-user recorded into the same directory, kept as they are."""
        path = self.directory / "users.yaml"
        if not path.is_file():
            return []
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return [u for u in document.get("users") or [] if isinstance(u, dict) and u.get("id") != self.user]

    def _other_personas(self) -> dict[str, Any]:
        path = self.directory / "personas.yaml"
        if not path.is_file():
            return {}
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return {k: v for k, v in (document.get("personas") or {}).items() if k != self.user}

    def _dump(self, name: str, document: dict[str, Any]) -> None:
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=2**31 - 1)
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, self.directory / name)
