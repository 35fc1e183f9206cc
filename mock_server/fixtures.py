"""Load and check the YAML fixtures: clients, users and personas.

A broken file is refused at start-up with the file, the line and the field, so a
typo never turns into odd data or a 500 later.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from . import resources
from .json_body import missing_property, unknown_property
from .synth.profiles import (
    HeartTraits,
    Persona,
    PinnedDay,
    PinnedHeart,
    PinnedSleep,
    PinnedStep,
    SleepTraits,
    StepTraits,
    TrendTraits,
    UserProfile,
    WearTraits,
)


class FixtureError(ValueError):
    """A fixture file that cannot be used; the message names file, line and field."""

    def __init__(self, path: Path, line: int | None, field: str, problem: str) -> None:
        self.path, self.line, self.field, self.problem = path, line, field, problem
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {field or '(document)'}: {problem}")


@dataclass(frozen=True)
class Client:
    id: str
    name: str
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...] = ("daily",)
    description: str = ""


@dataclass(frozen=True)
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
    users: dict[str, UserProfile]
    accounts: dict[str, UserAccount]
    personas: dict[str, Persona]
    source: Path

    @property
    def default_client(self) -> Client:
        return next(iter(self.clients.values()))

    @property
    def default_user(self) -> UserProfile:
        return next(iter(self.users.values()))


def _load_schema() -> dict[str, Any]:
    with resources.fixtures_schema_path().open(encoding="utf-8") as handle:
        schema: dict[str, Any] = yaml.safe_load(handle)
    return schema


def _line_of(node: yaml.Node, path: list[str | int]) -> int | None:
    """The 1-based line of the value at `path` inside a composed YAML node tree."""
    current = node
    for step in path:
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if key.value == str(step):
                    current = value
                    break
            else:
                break
        elif isinstance(current, yaml.SequenceNode) and isinstance(step, int) and step < len(current.value):
            current = current.value[step]
        else:
            break
    return current.start_mark.line + 1


def _dotted(path: list[str | int]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


MAX_EXPANDED_NODES = 200_000
"""Far above any real fixture file (the built-in ones have a few thousand values)."""


def _refuse_alias_bombs(path: Path, root: yaml.Node | None) -> None:
    """Refuse a file whose aliases expand to more values than any fixture needs.

    Aliases share nodes, so a few lines can stand for billions of values (YAML's "billion
    laughs"); validating them would hang start-up. Counting stops at the limit.
    """
    count, stack = 0, [root] if root is not None else []
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_EXPANDED_NODES:
            raise FixtureError(
                path, None, "", f"expands to more than {MAX_EXPANDED_NODES} values through YAML aliases; write it out"
            )
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


class _Document:
    """One parsed YAML file with its node tree, for line numbers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FixtureError(path, None, "", f"cannot read the file: {exc}") from exc
        try:
            self.node = yaml.compose(text, Loader=yaml.SafeLoader)
            _refuse_alias_bombs(path, self.node)
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            raise FixtureError(path, line, "", f"not valid YAML: {getattr(exc, 'problem', exc)}") from exc

    def fail(self, path: list[str | int], problem: str) -> FixtureError:
        line = _line_of(self.node, path) if self.node is not None else None
        return FixtureError(self.path, line, _dotted(path), problem)

    def check(self, schema: dict[str, Any], definition: str) -> None:
        validator = Draft202012Validator({**schema, "$ref": f"#/$defs/{definition}"})
        errors = sorted(
            validator.iter_errors(self.data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path)))
        )
        if errors:
            raise self._explain(errors[0])

    def _explain(self, error: ValidationError) -> FixtureError:
        path = list(error.absolute_path)
        unknown = unknown_property(error)
        if unknown:
            schema = error.schema if isinstance(error.schema, dict) else {}
            allowed = ", ".join(sorted(schema.get("properties", {})))
            return self.fail([*path, unknown], f"unknown field (expected one of: {allowed})")
        missing = missing_property(error)
        if missing:
            return self.fail(path, f"{missing!r} is required")
        return self.fail(path, error.message)


def _traits(cls: type, values: dict[str, Any] | None) -> Any:
    known = {f.name for f in fields(cls)}
    kwargs = {k: v for k, v in (values or {}).items() if k in known}
    if cls is TrendTraits and "anchor" in kwargs:
        kwargs["anchor"] = date.fromisoformat(kwargs["anchor"])
    return cls(**kwargs)


def _persona(doc: _Document, name: str, spec: dict[str, Any]) -> Persona:
    anchor = (spec.get("trend") or {}).get("anchor")
    if anchor is not None:
        try:
            date.fromisoformat(anchor)
        except ValueError:
            # The schema's pattern lets 2024-02-30 through; the calendar does not.
            raise doc.fail(["personas", name, "trend", "anchor"], "not a calendar date (YYYY-MM-DD)") from None
    return Persona(
        name=name,
        description=spec.get("description", ""),
        steps=_traits(StepTraits, spec.get("steps")),
        heart=_traits(HeartTraits, spec.get("heart")),
        sleep=_traits(SleepTraits, spec.get("sleep")),
        wear=_traits(WearTraits, spec.get("wear")),
        trend=_traits(TrendTraits, spec.get("trend")),
    )


def _pinned_day(doc: _Document, where: list[str | int], spec: dict[str, Any]) -> PinnedDay:
    heart = spec.get("heart_beat")
    if heart is not None and heart["minY"] > heart["maxY"]:
        raise doc.fail([*where, "heart_beat", "minY"], "minY must not be above maxY")
    if heart is not None and "average" in heart and not heart["minY"] <= heart["average"] <= heart["maxY"]:
        raise doc.fail([*where, "heart_beat", "average"], "average must lie between minY and maxY")
    return PinnedDay(
        heart_beat=PinnedHeart(**heart) if heart is not None else None,
        step=PinnedStep(**spec["step"]) if "step" in spec else None,
        sleep=PinnedSleep(**spec["sleep"]) if "sleep" in spec else None,
        missing=tuple(spec.get("missing", ())),
    )


def _user(doc: _Document, index: int, spec: dict[str, Any], personas: dict[str, Persona]) -> UserProfile:
    where: list[str | int] = ["users", index]
    if spec["persona"] not in personas:
        raise doc.fail(
            [*where, "persona"], f"unknown persona {spec['persona']!r} (known: {', '.join(sorted(personas))})"
        )
    try:
        ZoneInfo(spec["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise doc.fail(
            [*where, "timezone"], f"unknown time zone {spec['timezone']!r} (use an IANA name such as Europe/Berlin)"
        ) from None
    pinned = []
    for day_text, values in (spec.get("pinned") or {}).items():
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            raise doc.fail([*where, "pinned", day_text], "not a calendar date (YYYY-MM-DD)") from None
        pinned.append((day, _pinned_day(doc, [*where, "pinned", day_text], values)))
    joined = None
    if "joined" in spec:
        try:
            joined = date.fromisoformat(spec["joined"])
        except ValueError:
            raise doc.fail([*where, "joined"], "not a calendar date (YYYY-MM-DD)") from None
    return UserProfile(
        id=spec["id"],
        persona=personas[spec["persona"]],
        timezone=spec["timezone"],
        name=spec.get("name", spec["id"]),
        joined=joined,
        joined_days_ago=spec.get("joined_days_ago"),
        pinned=tuple(sorted(pinned)),
    )


def _unique(doc: _Document, section: str, items: list[dict[str, Any]], key: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item[key] in seen:
            raise doc.fail([section, index, key], f"duplicate {key} {item[key]!r}")
        seen.add(item[key])


def load_fixtures(directory: Path | None = None) -> Fixtures:
    """Load clients.yaml, users.yaml and personas.yaml from `directory` (default: built-in)."""
    root = Path(directory) if directory is not None else resources.builtin_fixtures_dir()
    if not root.is_dir():
        raise FixtureError(root, None, "", "not a directory of fixture files")
    schema = _load_schema()
    docs = {}
    for name in ("personas", "clients", "users"):
        path = root / f"{name}.yaml"
        if not path.is_file():
            raise FixtureError(path, None, "", f"missing: a fixtures directory needs {name}.yaml")
        doc = _Document(path)
        doc.check(schema, name)
        docs[name] = doc

    personas = {
        name: _persona(docs["personas"], name, spec or {}) for name, spec in docs["personas"].data["personas"].items()
    }
    client_items = docs["clients"].data["clients"]
    _unique(docs["clients"], "clients", client_items, "id")
    clients = {
        c["id"]: Client(
            id=c["id"],
            name=c["name"],
            redirect_uris=tuple(c["redirect_uris"]),
            scopes=tuple(c.get("scopes", ["daily"])),
            description=c.get("description", ""),
        )
        for c in client_items
    }
    user_items = docs["users"].data["users"]
    _unique(docs["users"], "users", user_items, "id")
    _unique(docs["users"], "users", [u for u in user_items if "username" in u], "username")
    users = {u["id"]: _user(docs["users"], i, u, personas) for i, u in enumerate(user_items)}
    accounts = {
        u["id"]: UserAccount(
            id=u["id"],
            name=u.get("name", u["id"]),
            username=u.get("username", u["id"]),
            password=u.get("password", ""),
            description=u.get("description", ""),
        )
        for u in user_items
    }
    return Fixtures(clients=clients, users=users, accounts=accounts, personas=personas, source=root)
