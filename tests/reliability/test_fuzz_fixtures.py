"""Fuzzing the fixture loader with mutated YAML: it loads, or raises FixtureError naming file, line and field."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mock_server.people import FixtureError, Fixtures, load_fixtures
from mock_server.people.files import builtin_fixtures_dir

# Each example loads three files (~0.1 s); CUDIS_FUZZ_EXAMPLES raises the count for a long run.
EXAMPLES = int(os.environ.get("CUDIS_FUZZ_EXAMPLES", "40"))
FILES = ("clients.yaml", "users.yaml", "personas.yaml")
BUILTIN = {name: (builtin_fixtures_dir() / name).read_text(encoding="utf-8") for name in FILES}
DATA = {name: yaml.safe_load(text) for name, text in BUILTIN.items()}

odd_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "2024-13-45",
            "2024-02-30",
            "0000-00-00",
            "9999-99-99",
            "Not/AZone",
            "../../etc/passwd",
            "UTC",
            "",
            "2024-01-01",
            "typical",
            "daily",
            "<script>",
            "\x00",
            "~",
            ".inf",
            "1e400",
            "0x10",
        ]
    ),
    st.dates().map(str),
)
odd_values = st.recursive(
    odd_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a YAML data tree (keys and indices)."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _replace(node: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy: Any = dict(node) if isinstance(node, dict) else list(node)
    if delete and not rest:
        del copy[head]
    else:
        copy[head] = _replace(copy[head], rest, value, delete)
    return copy


@st.composite
def tree_mutations(draw: st.DrawFn) -> dict[str, str]:
    """The built-in files with one node replaced by an odd value, or deleted."""
    name = draw(st.sampled_from(FILES))
    paths = _paths(DATA[name])
    path = draw(st.sampled_from(paths))
    delete = bool(path) and draw(st.booleans())
    mutated = _replace(DATA[name], path, draw(odd_values), delete)
    return {**BUILTIN, name: yaml.safe_dump(mutated, allow_unicode=True, sort_keys=False)}


@st.composite
def text_mutations(draw: st.DrawFn) -> dict[str, str]:
    """The built-in files with a line dropped, repeated or mangled, or bytes cut or inserted."""
    name = draw(st.sampled_from(FILES))
    lines = BUILTIN[name].splitlines(keepends=True)
    index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    kind = draw(st.sampled_from(["drop", "repeat", "indent", "dedent", "insert", "truncate", "replace-char", "tab"]))
    if kind == "drop":
        del lines[index]
    elif kind == "repeat":
        lines.insert(index, lines[index])
    elif kind == "indent":
        lines[index] = "  " + lines[index]
    elif kind == "dedent":
        lines[index] = lines[index].lstrip()
    elif kind == "insert":
        lines.insert(index, draw(st.text(max_size=20)) + "\n")
    elif kind == "tab":
        lines[index] = lines[index].replace("  ", "\t", 1)
    elif kind == "replace-char" and lines[index]:
        at = draw(st.integers(min_value=0, max_value=len(lines[index]) - 1))
        lines[index] = lines[index][:at] + draw(st.characters()) + lines[index][at + 1 :]
    text = "".join(lines)
    if kind == "truncate":
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    return {**BUILTIN, name: text}


def _load(files: dict[str, str | bytes]) -> Fixtures | FixtureError:
    with tempfile.TemporaryDirectory() as root:
        for name, content in files.items():
            path = Path(root, name)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", errors="surrogatepass")
        try:
            return load_fixtures(Path(root))
        except FixtureError as error:
            assert error.path.name in FILES, error
            text = files[error.path.name]
            if error.line is not None:
                assert 1 <= error.line <= len(text.splitlines()) + 1, error
            assert error.problem, error
            assert str(error).startswith(str(error.path)), error
            return error


@settings(max_examples=EXAMPLES)
@given(files=tree_mutations())
@example(
    files={**BUILTIN, "users.yaml": BUILTIN["users.yaml"].replace('joined: "2022-01-01"', 'joined: "2022-13-45"', 1)}
)
@example(files={**BUILTIN, "personas.yaml": BUILTIN["personas.yaml"] + "  odd:\n    trend: {anchor: '2024-02-30'}\n"})
def test_a_mutated_fixture_tree_loads_or_names_file_line_and_field(files: dict[str, str]) -> None:
    outcome = _load(dict(files))
    if isinstance(outcome, FixtureError) and outcome.line is not None:
        assert outcome.field or outcome.problem


@settings(max_examples=EXAMPLES)
@given(files=text_mutations())
@example(files={**BUILTIN, "clients.yaml": "clients:\n  - id: [unclosed\n"})
@example(files={**BUILTIN, "users.yaml": "users: &a [*a]\n"})
@example(files={**BUILTIN, "personas.yaml": ""})
def test_a_mangled_fixture_file_loads_or_names_file_and_line(files: dict[str, str]) -> None:
    _load(dict(files))


def test_a_non_utf8_fixture_file_is_refused_with_its_path() -> None:
    outcome = _load({**BUILTIN, "users.yaml": b"users:\n  - id: caf\xe9\n"})
    assert isinstance(outcome, FixtureError) and outcome.path.name == "users.yaml"


def test_a_billion_laughs_fixture_is_refused_quickly() -> None:
    """Aliases that expand exponentially must not hang the loader (YAML's billion laughs)."""
    bomb = "a: &a ['x','x','x','x','x','x','x','x','x']\n"
    for level in range(1, 9):
        bomb += f"{chr(97 + level)}: &{chr(97 + level)} [" + ",".join([f"*{chr(96 + level)}"] * 9) + "]\n"
    bomb += "users: *i\n"
    started = time.monotonic()
    outcome = _load({**BUILTIN, "users.yaml": bomb})
    assert isinstance(outcome, FixtureError) and outcome.path.name == "users.yaml"
    assert "aliases" in outcome.problem
    assert time.monotonic() - started < 5


def test_fixture_paths_outside_a_directory_are_refused(tmp_path: Path) -> None:
    for where in (tmp_path / "missing", tmp_path / ".." / ".." / "nonexistent", Path("/etc/passwd")):
        try:
            load_fixtures(where)
        except FixtureError as error:
            assert error.problem
        else:
            raise AssertionError(f"{where} loaded")
