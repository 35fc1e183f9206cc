"""Load and check a directory of YAML fixtures: clients, users and personas.

A broken file is refused at start-up with the file, the line and the field, so a
typo never turns into odd data or a 500 later. Each file is checked against
openapi/fixtures.schema.yaml; what the schema cannot say (bounds that depend on each other,
time zones, calendar dates, references between files) is checked while the records are built.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import fields, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jsonschema_rs

from cudis_spec import load_spec

from ..http.json_body import missing_property, unknown_property
from ..synth.profiles import (
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
from .files import builtin_fixtures_dir
from .recordings import load_recordings, recordings_path
from .records import Client, Fixtures, UserAccount
from .user_table import Duplicate, UserTable, UserTableBuilder
from .yaml_reader import FixtureError, Unusual, YamlFile, dotted, list_items

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

COMPACT_USERS_FROM = 1_000_000
"""A users file from this many bytes on is read item by item into a compact UserTable."""


def _fast_is_valid(schema: dict[str, Any], data: Any) -> bool:
    """True when jsonschema-rs finds `data` valid (a large users file checks in milliseconds);
    False when it does not, and the Python validator then decides and explains."""
    try:
        return bool(jsonschema_rs.Draft202012Validator(schema, validate_formats=False).is_valid(data))
    except Exception:  # anything jsonschema-rs cannot take: the Python validator decides
        return False


def _load_schema() -> dict[str, Any]:
    return load_spec().fixtures_schema


def _check(doc: YamlFile, schema: dict[str, Any], definition: str) -> None:
    """Refuse `doc` unless the schema's `definition` holds for it, naming the first field that breaks it."""
    root = {**schema, "$ref": f"#/$defs/{definition}"}
    if _fast_is_valid(root, doc.data):
        return
    from jsonschema import Draft202012Validator  # only to explain: the import costs start-up time

    validator = Draft202012Validator(root)
    errors = sorted(
        validator.iter_errors(doc.data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path)))
    )
    if errors:
        raise _explain(doc, errors[0])


def _explain(doc: YamlFile, error: ValidationError) -> FixtureError:
    path = list(error.absolute_path)
    unknown = unknown_property(error)
    if unknown:
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = ", ".join(sorted(schema.get("properties", {})))
        return doc.fail([*path, unknown], f"unknown field (expected one of: {allowed})")
    missing = missing_property(error)
    if missing:
        return doc.fail(path, f"{missing!r} is required")
    return doc.fail(path, error.message)


class _Checked:
    """Stands for a fixture file already checked: converting one of its items again cannot fail."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, path: list[str | int], problem: str) -> FixtureError:
        return FixtureError(self.path, None, dotted(path), problem)


def _traits(cls: type, values: dict[str, Any] | None) -> Any:
    known = {f.name for f in fields(cls)}
    kwargs = {k: v for k, v in (values or {}).items() if k in known}
    if cls is TrendTraits and "anchor" in kwargs:
        kwargs["anchor"] = date.fromisoformat(kwargs["anchor"])
    return cls(**kwargs)


def _zone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)"
    return None


def _calendar_date(doc: YamlFile | _Checked, where: list[str | int], text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise doc.fail(where, "not a calendar date (YYYY-MM-DD)") from None


def _persona(doc: YamlFile, name: str, spec: dict[str, Any]) -> Persona:
    """A persona; what the schema cannot say (bounds that depend on each other) is checked here."""
    where: list[str | int] = ["personas", name]
    for index, zone in enumerate(spec.get("timezones", ())):
        problem = _zone_problem(zone)
        if problem:
            raise doc.fail([*where, "timezones", index], problem)
    if "anchor" in (spec.get("trend") or {}):
        _calendar_date(doc, [*where, "trend", "anchor"], spec["trend"]["anchor"])
    persona = Persona(
        name=name,
        description=spec.get("description", ""),
        steps=_traits(StepTraits, spec.get("steps")),
        heart=_traits(HeartTraits, spec.get("heart")),
        sleep=_traits(SleepTraits, spec.get("sleep")),
        wear=_traits(WearTraits, spec.get("wear")),
        trend=_traits(TrendTraits, spec.get("trend")),
        timezones=tuple(spec.get("timezones", ())),
    )
    if persona.heart.floor + 10 > persona.heart.ceiling:
        field = "floor" if "floor" in (spec.get("heart") or {}) else "ceiling"
        raise doc.fail(
            [*where, "heart", field],
            f"floor ({persona.heart.floor:g}) must be at least 10 bpm below ceiling ({persona.heart.ceiling:g})",
        )
    if persona.sleep.min_hours > persona.sleep.max_hours:
        field = "min_hours" if "min_hours" in (spec.get("sleep") or {}) else "max_hours"
        raise doc.fail(
            [*where, "sleep", field],
            f"min_hours ({persona.sleep.min_hours:g}) must not be above max_hours ({persona.sleep.max_hours:g})",
        )
    return persona


def _pinned_day(doc: YamlFile | _Checked, where: list[str | int], spec: dict[str, Any]) -> PinnedDay:
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


@lru_cache(maxsize=4096)
def _iso_date(text: str) -> date:
    """Shared date objects: 100,000 users who joined on a handful of dates need not hold 100,000."""
    return date.fromisoformat(text)


def _user(doc: YamlFile | _Checked, index: int, spec: dict[str, Any], personas: dict[str, Persona]) -> UserProfile:
    where: list[str | int] = ["users", index]
    if spec["persona"] not in personas:
        raise doc.fail(
            [*where, "persona"], f"unknown persona {spec['persona']!r} (known: {', '.join(sorted(personas))})"
        )
    zone_problem = _zone_problem(spec["timezone"])
    if zone_problem:
        raise doc.fail([*where, "timezone"], zone_problem)
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
            joined = _iso_date(spec["joined"])
        except ValueError:
            raise doc.fail([*where, "joined"], "not a calendar date (YYYY-MM-DD)") from None
    gaps = []
    for index, gap in enumerate(spec.get("gaps", ())):
        first = _calendar_date(doc, [*where, "gaps", index, "from"], gap["from"])
        last = _calendar_date(doc, [*where, "gaps", index, "to"], gap["to"])
        if last < first:
            raise doc.fail([*where, "gaps", index, "to"], f"{last} is before from ({first})")
        gaps.append((first, last))
    return UserProfile(
        id=spec["id"],
        persona=personas[spec["persona"]],
        timezone=sys.intern(spec["timezone"]),
        name=spec.get("name", spec["id"]),
        joined=joined,
        joined_days_ago=spec.get("joined_days_ago"),
        pinned=tuple(sorted(pinned)),
        gaps=tuple(gaps),
    )


def _unique(doc: YamlFile, section: str, items: list[dict[str, Any]], key: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item[key] in seen:
            raise doc.fail([section, index, key], f"duplicate {key} {item[key]!r}")
        seen.add(item[key])


def _account(item: dict[str, Any]) -> UserAccount:
    return UserAccount(
        id=item["id"],
        name=item.get("name", item["id"]),
        username=item.get("username", item["id"]),
        password=sys.intern(item.get("password", "")),
        description=item.get("description", ""),
    )


def _user_table(doc: YamlFile, schema: dict[str, Any], personas: dict[str, Persona]) -> UserTable:
    """A large users file read item by item into a compact UserTable (see user_table.py).

    Each item is checked and converted as it is read. Anything unusual or wrong raises Unusual,
    and the whole-file path then loads it, or reports the problem exactly as it always did.
    """
    try:
        validator = jsonschema_rs.Draft202012Validator(
            {**schema, "$ref": "#/$defs/users/properties/users/items"}, validate_formats=False
        )
    except Exception:  # a schema jsonschema-rs cannot take
        raise Unusual from None
    builder = UserTableBuilder()
    count = 0
    try:
        with contextlib.closing(list_items(doc.path, "users")) as items:
            for item, text in items:
                if not isinstance(item, dict) or not validator.is_valid(item):
                    raise Unusual
                try:
                    _user(doc, count, item, personas)
                except FixtureError:
                    raise Unusual from None
                builder.add(item["id"], item.get("username"), text)
                count += 1
        if not count:
            raise Unusual
        checked = _Checked(doc.path)
        return builder.build(lambda index, item: (_user(checked, index, item, personas), _account(item)))
    except Duplicate:
        raise Unusual from None


def _with_recordings(fixtures: Fixtures, schema: dict[str, Any]) -> Fixtures:
    """`fixtures` with the answers of the directory's recordings.yaml, when it has one."""
    path = recordings_path(fixtures.source)
    if not path.is_file():
        return fixtures
    doc = YamlFile(path)
    _check(doc, schema, "recordings")
    recorded = load_recordings(doc, load_spec(), fixtures.users)
    return replace(fixtures, recordings=recorded)


def load_fixtures(directory: Path | None = None) -> Fixtures:
    """Load clients.yaml, users.yaml and personas.yaml (and recordings.yaml, if there) from `directory`
    (default: built-in)."""
    root = Path(directory) if directory is not None else builtin_fixtures_dir()
    if not root.exists():
        raise FixtureError(root, None, "", "no such directory (--fixtures names a directory of fixture files)")
    if not root.is_dir():
        raise FixtureError(root, None, "", "not a directory (--fixtures names a directory of fixture files)")
    schema = _load_schema()
    docs = {}
    for name in ("personas", "clients", "users"):
        path = root / f"{name}.yaml"
        if not path.is_file():
            raise FixtureError(path, None, "", f"missing: a fixtures directory needs {name}.yaml")
        # A large users file is read item by item below; the others (and a small one) at once.
        docs[name] = YamlFile(path, read=name != "users" or path.stat().st_size < COMPACT_USERS_FROM)
        if name != "users":
            _check(docs[name], schema, name)

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
    if docs["users"].path.stat().st_size >= COMPACT_USERS_FROM:
        with contextlib.suppress(Unusual):
            table = _user_table(docs["users"], schema, personas)
            return _with_recordings(Fixtures(clients, table.profiles, table.accounts, personas, root), schema)
    _check(docs["users"], schema, "users")
    user_items = docs["users"].data["users"]
    _unique(docs["users"], "users", user_items, "id")
    _unique(docs["users"], "users", [u for u in user_items if "username" in u], "username")
    users: dict[str, UserProfile] = {}
    accounts: dict[str, UserAccount] = {}
    for i, u in enumerate(user_items):
        users[u["id"]] = _user(docs["users"], i, u, personas)
        accounts[u["id"]] = _account(u)
        user_items[i] = None  # each raw item goes as soon as it is converted (large fixture sets)
    fixtures = Fixtures(clients=clients, users=users, accounts=accounts, personas=personas, source=root)
    return _with_recordings(fixtures, schema)
