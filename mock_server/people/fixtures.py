"""Load and check the YAML fixtures: clients, users and personas.

A broken file is refused at start-up with the file, the line and the field, so a
typo never turns into odd data or a 500 later.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from cudis_spec import load_spec

from .files import builtin_fixtures_dir
from .user_table import Duplicate, UserTable, UserTableBuilder, UserTableView

try:
    import jsonschema_rs as _rs
except ImportError:  # pragma: no cover - installed with schemathesis
    _rs = None  # type: ignore[assignment]
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


# libyaml's loader parses large fixture files (100,000 users) in seconds where the pure-Python
# one takes minutes; both build the same Python data. Errors are re-read with the pure-Python
# loader so their wording does not depend on whether libyaml is installed.
_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _fast_is_valid(schema: dict[str, Any], data: Any) -> bool:
    """True when jsonschema-rs finds `data` valid (a large users file checks in milliseconds);
    False when it does not or is missing, and the Python validator then decides and explains."""
    if _rs is None:
        return False
    try:
        return bool(_rs.Draft202012Validator(schema, validate_formats=False).is_valid(data))
    except Exception:  # anything jsonschema-rs cannot take: the Python validator decides
        return False


def _load_schema() -> dict[str, Any]:
    return load_spec().fixtures_schema


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


class _Events(yaml.composer.Composer, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """Composes and constructs nodes from a list of already parsed events."""

    def __init__(self, events: list[yaml.Event]) -> None:
        self._events = events
        self._position = 0
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    def check_event(self, *choices: type[yaml.Event]) -> bool:
        if self._position >= len(self._events):
            return False
        return not choices or isinstance(self._events[self._position], choices)

    def peek_event(self) -> yaml.Event:
        return self._events[self._position]

    def get_event(self) -> yaml.Event:
        self._position += 1
        return self._events[self._position - 1]


def _value(events: list[yaml.Event]) -> Any:
    """The Python value of one node's events."""
    start: list[yaml.Event] = [yaml.StreamStartEvent(), yaml.DocumentStartEvent()]
    return _Events([*start, *events, yaml.DocumentEndEvent(), yaml.StreamEndEvent()]).get_single_data()


_LARGE = 1_000_000
"""Files from this many characters on are loaded item by item."""


def _compact(value: Any) -> Any:
    """`value` with its mapping keys and short strings interned: 100,000 users share one "timezone"."""
    if isinstance(value, dict):
        return {sys.intern(k) if isinstance(k, str) else k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    if isinstance(value, str) and len(value) <= 40:
        return sys.intern(value)
    return value


class _Unusual(Exception):
    """A document the item-by-item loader does not handle (anchors, non-mapping root...)."""


def _node_events(first: yaml.Event, events: Iterator[yaml.Event]) -> list[yaml.Event]:
    """The events of the node that starts with `first` (no anchors or aliases: _Unusual)."""
    collected, depth = [first], 0
    event = first
    while True:
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Unusual
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if depth == 0:
            return collected
        event = next(events)
        collected.append(event)


def _load_by_items(text: str) -> Any:
    """Load a `{key: [item, ...], ...}` document one top-level list item at a time.

    The same values as `yaml.load`, but without the node tree of the whole file, which for
    100,000 users took over half a gigabyte. Anything else raises _Unusual.
    """
    events = yaml.parse(text, Loader=_FAST_LOADER)
    head = [next(events), next(events), next(events)]
    if not isinstance(head[2], yaml.MappingStartEvent) or head[2].anchor is not None:
        raise _Unusual
    result: dict[Any, Any] = {}

    def node_events(first: yaml.Event) -> list[yaml.Event]:
        return _node_events(first, events)

    for event in events:
        if isinstance(event, yaml.MappingEndEvent):
            break
        key = _value(node_events(event))
        if not isinstance(key, str) or key in result:
            raise _Unusual
        start = next(events)
        if isinstance(start, yaml.SequenceStartEvent) and start.anchor is None and start.tag is None:
            items = []
            for item in events:
                if isinstance(item, yaml.SequenceEndEvent):
                    break
                items.append(_compact(_value(node_events(item))))
            result[key] = items
        else:
            result[key] = _value(node_events(start))
    rest = list(events)
    if [type(e) for e in rest] != [yaml.DocumentEndEvent, yaml.StreamEndEvent]:
        raise _Unusual
    return result


MAX_EXPANDED_VALUES = 200_000
"""Values an alias-using file may expand to, at least; a file without aliases has fewer values than characters."""


def _refuse_alias_bombs(path: Path, text: str, data: Any) -> None:
    """Refuse a file whose aliases expand it far beyond its own size.

    Aliases share values, so a few lines can stand for billions of them (YAML's "billion
    laughs") or for a structure that contains itself; validating either would hang start-up.
    Counting stops at the limit, so this costs little.
    """
    limit = max(MAX_EXPANDED_VALUES, 2 * len(text))
    count, stack = 0, [data]
    while stack:
        value = stack.pop()
        count += 1
        if count > limit:
            raise FixtureError(
                path, None, "", f"expands to more than {limit} values through YAML aliases; write it out"
            )
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


class _Document:
    """One parsed YAML file; its node tree (for line numbers) is built only to explain an error."""

    def __init__(self, path: Path, *, read: bool = True) -> None:
        self.path = path
        if read:
            _ = self.text

    @cached_property
    def text(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FixtureError(self.path, None, "", f"cannot read the file: {exc}") from exc

    @cached_property
    def data(self) -> Any:
        """The file's value (parsed on first use; a large users file may never need it)."""
        value = self._parse()
        if "*" in self.text:  # only an alias can make a few lines stand for a huge value
            _refuse_alias_bombs(self.path, self.text, value)
        return value

    def _parse(self) -> Any:
        try:
            return self._fast_load()
        except yaml.YAMLError:
            try:
                return yaml.safe_load(self.text)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 1 if mark is not None else None
                raise FixtureError(self.path, line, "", f"not valid YAML: {getattr(exc, 'problem', exc)}") from exc

    def _fast_load(self) -> Any:
        if len(self.text) >= _LARGE:
            with contextlib.suppress(_Unusual, StopIteration):
                return _load_by_items(self.text)
        return yaml.load(self.text, Loader=_FAST_LOADER)

    @property
    def node(self) -> yaml.Node | None:
        # libyaml (the fast loader) accepts a few things the pure-Python parser refuses (e.g. `m?dian`
        # in a flow mapping); compose with the loader that read the data, and without a tree the
        # error still names the file and the field, only not the line.
        try:
            return yaml.compose(self.text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            return None

    def fail(self, path: list[str | int], problem: str) -> FixtureError:
        node = self.node
        line = _line_of(node, path) if node is not None else None
        return FixtureError(self.path, line, _dotted(path), problem)

    def check(self, schema: dict[str, Any], definition: str) -> None:
        root = {**schema, "$ref": f"#/$defs/{definition}"}
        if _fast_is_valid(root, self.data):
            return
        validator = Draft202012Validator(root)
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


def _zone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)"
    return None


def _calendar_date(doc: _Document | _Loaded, where: list[str | int], text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise doc.fail(where, "not a calendar date (YYYY-MM-DD)") from None


def _persona(doc: _Document, name: str, spec: dict[str, Any]) -> Persona:
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


def _pinned_day(doc: _Document | _Loaded, where: list[str | int], spec: dict[str, Any]) -> PinnedDay:
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


class _Loaded:
    """Stands for a fixture file already checked: converting one of its items again cannot fail."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, path: list[str | int], problem: str) -> FixtureError:
        return FixtureError(self.path, None, _dotted(path), problem)


def _user(doc: _Document | _Loaded, index: int, spec: dict[str, Any], personas: dict[str, Persona]) -> UserProfile:
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


def _unique(doc: _Document, section: str, items: list[dict[str, Any]], key: str) -> None:
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


def _user_table(doc: _Document, schema: dict[str, Any], personas: dict[str, Persona]) -> UserTable:
    """A large users file read item by item into a compact UserTable (see user_table.py).

    Each item is checked and converted as it is read. Anything unusual or wrong raises _Unusual,
    and the whole-file path then loads it, or reports the problem exactly as it always did.
    """
    if _rs is None or not _is_ascii(doc.path):
        raise _Unusual  # libyaml's marks count characters; item text is read back by byte offset
    try:
        validator = _rs.Draft202012Validator(
            {**schema, "$ref": "#/$defs/users/properties/users/items"}, validate_formats=False
        )
    except Exception:  # a schema jsonschema-rs cannot take
        raise _Unusual from None
    builder = UserTableBuilder()
    # libyaml reads the file in chunks and each item's text is read back from it: the whole text
    # of a large file is never in memory at once.
    with doc.path.open("rb") as stream, doc.path.open("rb") as items:
        events = yaml.parse(stream, Loader=_FAST_LOADER)
        try:
            return _read_users(doc, items, events, validator, builder, personas)
        except (yaml.YAMLError, StopIteration, Duplicate):
            raise _Unusual from None


def _is_ascii(path: Path) -> bool:
    with path.open("rb") as stream:
        return all(chunk.isascii() for chunk in iter(lambda: stream.read(1 << 20), b""))


def _read_users(
    doc: _Document,
    source: BinaryIO,
    events: Iterator[yaml.Event],
    validator: Any,
    builder: UserTableBuilder,
    personas: dict[str, Persona],
) -> UserTable:
    """The items of the `users:` list, each checked, converted once and added to `builder`."""
    count = 0
    head = [next(events) for _ in range(5)]  # stream, document, mapping, the key, the sequence
    key, items = head[3], head[4]
    if not (
        isinstance(head[2], yaml.MappingStartEvent)
        and head[2].anchor is None
        and isinstance(key, yaml.ScalarEvent)
        and key.value == "users"
        and key.tag is None
        and key.anchor is None
        and isinstance(items, yaml.SequenceStartEvent)
        and items.anchor is None
        and items.tag is None
    ):
        raise _Unusual
    for event in events:
        if isinstance(event, yaml.SequenceEndEvent):
            break
        collected = _node_events(event, events)
        item = _value(collected)
        if not isinstance(item, dict) or not validator.is_valid(item):
            raise _Unusual
        try:
            _user(doc, count, item, personas)
        except FixtureError:
            raise _Unusual from None
        first, last = collected[0].start_mark, collected[-1].end_mark
        if first is None or last is None:
            raise _Unusual
        source.seek(first.index)
        text = source.read(last.index - first.index).decode("ascii")
        builder.add(item["id"], item.get("username"), " " * first.column + text)
        count += 1
    rest = [type(e) for e in events]
    if not count or rest != [yaml.MappingEndEvent, yaml.DocumentEndEvent, yaml.StreamEndEvent]:
        raise _Unusual
    loaded = _Loaded(doc.path)
    return builder.build(lambda index, item: (_user(loaded, index, item, personas), _account(item)))


def load_fixtures(directory: Path | None = None) -> Fixtures:
    """Load clients.yaml, users.yaml and personas.yaml from `directory` (default: built-in)."""
    root = Path(directory) if directory is not None else builtin_fixtures_dir()
    if not root.is_dir():
        raise FixtureError(root, None, "", "not a directory of fixture files")
    schema = _load_schema()
    docs = {}
    for name in ("personas", "clients", "users"):
        path = root / f"{name}.yaml"
        if not path.is_file():
            raise FixtureError(path, None, "", f"missing: a fixtures directory needs {name}.yaml")
        # A large users file is read item by item below; the others (and a small one) at once.
        docs[name] = _Document(path, read=name != "users" or path.stat().st_size < _LARGE)
        if name != "users":
            docs[name].check(schema, name)

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
    if docs["users"].path.stat().st_size >= _LARGE:
        with contextlib.suppress(_Unusual):
            table = _user_table(docs["users"], schema, personas)
            return Fixtures(clients, table.profiles, table.accounts, personas, root)
    docs["users"].check(schema, "users")
    user_items = docs["users"].data["users"]
    _unique(docs["users"], "users", user_items, "id")
    _unique(docs["users"], "users", [u for u in user_items if "username" in u], "username")
    users: dict[str, UserProfile] = {}
    accounts: dict[str, UserAccount] = {}
    for i, u in enumerate(user_items):
        users[u["id"]] = _user(docs["users"], i, u, personas)
        accounts[u["id"]] = _account(u)
        user_items[i] = None  # each raw item goes as soon as it is converted (large fixture sets)
    return Fixtures(clients=clients, users=users, accounts=accounts, personas=personas, source=root)
