"""The YAML reader on its own: values, error lines, large files and aliases, with no fixture in sight."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mock_server.people.yaml_reader import BY_ITEMS_FROM, FAST_LOADER, FixtureError, Unusual, YamlFile, list_items


def _large(path: Path, key: str = "things") -> str:
    """A `{key: [...]}` file over BY_ITEMS_FROM characters, items in block and flow style."""
    lines = ["# a long list", f"{key}:"]
    for i in range(BY_ITEMS_FROM // 600):
        if i % 3:
            lines += [f"  - name: item-{i}", f"    size: {i}", f"    note: {'x' * 900}"]
        else:
            lines.append(f"  - {{name: 'item {i}', tags: [a, b], size: {i * 0.5}}}")
    lines.append("extra: {answer: 42}")
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return text


def test_a_large_file_read_item_by_item_has_the_value_yaml_gives(tmp_path: Path) -> None:
    text = _large(tmp_path / "big.yaml")
    assert len(text) >= BY_ITEMS_FROM
    assert YamlFile(tmp_path / "big.yaml").data == yaml.load(text, Loader=FAST_LOADER)  # the whole tree at once


def test_an_error_names_the_line_of_the_field(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text("top:\n  - a: 1\n  - a: 2\n    b:\n      c: wrong\n")
    error = YamlFile(path).fail(["top", 1, "b", "c"], "is wrong")
    assert (error.path, error.line, error.field, error.problem) == (path, 5, "top[1].b.c", "is wrong")
    assert str(error) == f"{path}:5: top[1].b.c: is wrong"


def test_invalid_yaml_and_an_unreadable_file_are_fixture_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("top:\n  - [unclosed\n")
    with pytest.raises(FixtureError, match="not valid YAML") as caught:
        _ = YamlFile(broken).data
    assert caught.value.line is not None
    with pytest.raises(FixtureError, match="cannot read the file"):
        YamlFile(tmp_path / "absent.yaml")


def test_aliases_that_expand_far_beyond_the_file_are_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 7):
        previous, name = chr(96 + level), chr(97 + level)
        bomb += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb)
    with pytest.raises(FixtureError, match="aliases"):
        _ = YamlFile(path).data
    path.write_text("base: &b {x: 1}\nsame: *b\n")  # an alias that expands to little is fine
    assert YamlFile(path).data == {"base": {"x": 1}, "same": {"x": 1}}


def test_list_items_give_each_value_with_text_that_parses_alone_to_it(tmp_path: Path) -> None:
    path = tmp_path / "items.yaml"
    path.write_text("things:\n  - {name: one, size: 1}\n  - name: two\n    tags: [a, b]\n  # a comment\n  - three\n")
    items = list(list_items(path, "things"))
    assert [value for value, _text in items] == yaml.safe_load(path.read_text())["things"]
    assert all(yaml.safe_load(text) == value for value, text in items)


@pytest.mark.parametrize(
    "text",
    [
        "others:\n  - a\n",  # another key
        "things:\n  - a\nmore: 1\n",  # a second key
        "things: &all\n  - a\n",  # an anchor
        "things:\n  - &one a\n  - *one\n",  # an alias
        "things:\n  - café\n",  # not ASCII: item text is read back by byte offset
        "things:\n  - [unclosed\n",  # not valid YAML
    ],
)
def test_list_items_refuse_what_they_do_not_handle(tmp_path: Path, text: str) -> None:
    path = tmp_path / "items.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Unusual):
        list(list_items(path, "things"))
