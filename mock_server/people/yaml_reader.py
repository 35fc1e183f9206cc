"""Read a YAML fixture file: its value, and the line of any field, for errors that name them.

Nothing here knows what a fixture holds: the loader (loader.py) says which fields to check and
what they become. What this module adds to PyYAML is what a large or hostile file needs: a file of
a megabyte or more is parsed one top-level list item at a time, aliases that expand a few lines
into billions of values are refused, and the node tree (for line numbers) is built only to
explain an error.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Generator, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml


class FixtureError(ValueError):
    """A fixture file that cannot be used; the message names file, line and field."""

    def __init__(self, path: Path, line: int | None, field: str, problem: str) -> None:
        self.path, self.line, self.field, self.problem = path, line, field, problem
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {field}: {problem}" if field else f"{where}: {problem}")


def syntax_error(path: Path, text: str, exc: yaml.YAMLError) -> FixtureError:
    """A YAML syntax error at the line where the mistake is, which is not always where the parser stopped.

    An unclosed quote swallows the lines after it up to the next quote (or the end of the file), and
    the parser stops there; the line that needs the fix is the one where the quote was opened.
    """
    mark = getattr(exc, "problem_mark", None)
    stopped = mark.line + 1 if mark is not None else None
    problem = f"not valid YAML: {getattr(exc, 'problem', None) or exc}"
    context = getattr(exc, "context", None) or ""
    context_mark = getattr(exc, "context_mark", None)
    if "quoted scalar" in context and context_mark is not None:  # the quote runs to the end of the file
        opened = context_mark.line + 1
        return FixtureError(path, opened, "", f"the quote opened on line {opened} is never closed ({problem})")
    quoted = _multiline_quote_before(text, mark.index if mark is not None else len(text))
    if quoted is not None and stopped is not None and quoted[0] < stopped:
        opened, closed = quoted
        return FixtureError(
            path,
            opened,
            "",
            f"the quote opened on line {opened} is closed only on line {closed}; close it on that line"
            f" ({problem}, where the parser stopped on line {stopped})",
        )
    return FixtureError(path, stopped, "", problem)


def _multiline_quote_before(text: str, index: int) -> tuple[int, int] | None:
    """(first, last line) of the last quoted value spanning lines before `index`: likely an unclosed quote."""
    found = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= index:
                break
            quoted = isinstance(token, yaml.ScalarToken) and token.style in {'"', "'"}
            if quoted and token.end_mark.line > token.start_mark.line:
                found = (token.start_mark.line + 1, token.end_mark.line + 1)
    except yaml.YAMLError:
        pass
    return found


class Unusual(Exception):
    """A document the item-by-item reading does not handle (anchors, non-mapping root...): read it whole."""


# libyaml's loader parses large fixture files (100,000 users) in seconds where the pure-Python
# one takes minutes; both build the same Python data. Errors are re-read with the pure-Python
# loader so their wording does not depend on whether libyaml is installed.
FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

BY_ITEMS_FROM = 1_000_000
"""Files from this many characters on are parsed item by item."""

MAX_EXPANDED_VALUES = 200_000
"""Values an alias-using file may expand to, at least; a file without aliases has fewer values than characters."""


def dotted(path: list[str | int]) -> str:
    """`path` as a field name: `users[3].pinned.2024-09-16`."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


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


def _compact(value: Any) -> Any:
    """`value` with its mapping keys and short strings interned: 100,000 users share one "timezone"."""
    if isinstance(value, dict):
        return {sys.intern(k) if isinstance(k, str) else k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    if isinstance(value, str) and len(value) <= 40:
        return sys.intern(value)
    return value


def _node_events(first: yaml.Event, events: Iterator[yaml.Event]) -> list[yaml.Event]:
    """The events of the node that starts with `first` (no anchors or aliases: Unusual)."""
    collected, depth = [first], 0
    event = first
    while True:
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise Unusual
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
    100,000 users took over half a gigabyte. Anything else raises Unusual.
    """
    events = yaml.parse(text, Loader=FAST_LOADER)
    head = [next(events), next(events), next(events)]
    if not isinstance(head[2], yaml.MappingStartEvent) or head[2].anchor is not None:
        raise Unusual
    result: dict[Any, Any] = {}

    def node_events(first: yaml.Event) -> list[yaml.Event]:
        return _node_events(first, events)

    for event in events:
        if isinstance(event, yaml.MappingEndEvent):
            break
        key = _value(node_events(event))
        if not isinstance(key, str) or key in result:
            raise Unusual
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
        raise Unusual
    return result


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


class YamlFile:
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
                raise syntax_error(self.path, self.text, exc) from exc

    def _fast_load(self) -> Any:
        if len(self.text) >= BY_ITEMS_FROM:
            with contextlib.suppress(Unusual, StopIteration):
                return _load_by_items(self.text)
        return yaml.load(self.text, Loader=FAST_LOADER)

    @property
    def node(self) -> yaml.Node | None:
        # libyaml (the fast loader) accepts a few things the pure-Python parser refuses (e.g. `m?dian`
        # in a flow mapping); compose with the loader that read the data, and without a tree the
        # error still names the file and the field, only not the line.
        try:
            return yaml.compose(self.text, Loader=FAST_LOADER)
        except yaml.YAMLError:
            return None

    def fail(self, path: list[str | int], problem: str) -> FixtureError:
        """The error for the field at `path`, with its line."""
        node = self.node
        line = _line_of(node, path) if node is not None else None
        return FixtureError(self.path, line, dotted(path), problem)


def list_items(path: Path, key: str) -> Generator[tuple[Any, str], None, None]:
    """The value and the text of each item of the list under `key`, the only key of the file.

    libyaml reads the file in chunks and each item's text is read back from it: the whole text
    of a large file is never in memory at once. An item's text is indented as in the file, so
    it parses alone to the item's value. Anything unusual (anchors, tags, another key, a file
    that is not ASCII or not valid YAML) raises Unusual.
    """
    if not _is_ascii(path):
        raise Unusual  # libyaml's marks count characters; item text is read back by byte offset
    with path.open("rb") as stream, path.open("rb") as source:
        events = yaml.parse(stream, Loader=FAST_LOADER)
        try:
            head = [next(events) for _ in range(5)]  # stream, document, mapping, the key, the sequence
            name, items = head[3], head[4]
            if not (
                isinstance(head[2], yaml.MappingStartEvent)
                and head[2].anchor is None
                and isinstance(name, yaml.ScalarEvent)
                and name.value == key
                and name.tag is None
                and name.anchor is None
                and isinstance(items, yaml.SequenceStartEvent)
                and items.anchor is None
                and items.tag is None
            ):
                raise Unusual
            for event in events:
                if isinstance(event, yaml.SequenceEndEvent):
                    break
                collected = _node_events(event, events)
                first, last = collected[0].start_mark, collected[-1].end_mark
                if first is None or last is None:
                    raise Unusual
                source.seek(first.index)
                text = source.read(last.index - first.index).decode("ascii")
                yield _value(collected), " " * first.column + text
            rest = [type(e) for e in events]
            if rest != [yaml.MappingEndEvent, yaml.DocumentEndEvent, yaml.StreamEndEvent]:
                raise Unusual
        except (yaml.YAMLError, StopIteration):
            raise Unusual from None


def _is_ascii(path: Path) -> bool:
    with path.open("rb") as stream:
        return all(chunk.isascii() for chunk in iter(lambda: stream.read(1 << 20), b""))
