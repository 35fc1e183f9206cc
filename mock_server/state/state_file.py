"""Whether a `--state` file may be used, decided before anything is written to it or beside it.

Someone else's SQLite file, a file of another version, a read-only file and a side file that is
a directory are each refused with a message of their own, and left byte for byte as they were.
A new state file is created readable by its owner only: it holds the consent-signing secret.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

MOCK_TABLES = frozenset({"meta", "tokens", "control"})


class StateFileError(ValueError):
    """A --state file that cannot be used; the message says why and what to do instead."""


def side_files(path: Path) -> dict[str, Path]:
    """The files a state keeps beside its database, by role."""
    return {"journal": Path(f"{path}-requests"), "stamp": Path(f"{path}-stamp")}


def _read_only_tables(path: Path) -> tuple[set[str], str | None]:
    """The file's tables and its `meta` schema version, read without writing a byte."""
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = None
            if "meta" in tables:
                row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                version = None if row is None else str(row[0])
    except sqlite3.DatabaseError as exc:
        raise StateFileError(f"--state {path}: not a cudis-mock state file ({exc}); use a new file") from None
    return tables, version


def check_state_file(path: Path, schema_version: str) -> None:
    """Raise StateFileError unless the mock may use (or create) `path` and its side files."""
    for role, side in side_files(path).items():
        if side.exists() and not side.is_file():
            raise StateFileError(f"--state {path}: its {role} file {side} is not a regular file; remove it")
    if not path.exists():
        if not os.access(path.parent if str(path.parent) else ".", os.W_OK):
            raise StateFileError(f"--state {path}: cannot create it, {path.parent} is not writable")
        return
    if not path.is_file():
        raise StateFileError(f"--state {path}: not a regular file; give a file path")
    mode = path.stat().st_mode
    if not mode & stat.S_IWUSR or not os.access(path, os.R_OK | os.W_OK):
        raise StateFileError(
            f"--state {path}: the file is read-only (mode {stat.S_IMODE(mode):04o}); the mock writes its state"
            f" there: make it writable (chmod u+w) or give another file"
        )
    if path.stat().st_size == 0:
        return  # an empty file (e.g. from mktemp) is a new database
    tables, version = _read_only_tables(path)
    if not tables:
        return
    if not tables <= MOCK_TABLES or version is None:
        listed = ", ".join(sorted(tables))
        raise StateFileError(
            f"--state {path}: an SQLite database of something else (tables: {listed}), not a cudis-mock"
            " state file; it was left unchanged: give a new file"
        )
    if version != schema_version:
        raise StateFileError(f"--state {path}: written by another version (schema {version}); use a new file")
    journal = side_files(path)["journal"]
    if (
        journal.exists()
        and journal.stat().st_size
        and not journal.read_bytes()[:64].startswith(b'{"cudis_mock_journal"')
    ):
        raise StateFileError(f"--state {path}: {journal} is not a cudis-mock journal; remove it or use a new file")


def create_private(path: Path) -> None:
    """Create `path` empty and readable by its owner only (0600), unless it exists."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
