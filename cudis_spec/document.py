"""One YAML document, read once: JSON-pointer look-ups and compiled validators for any of its schemas."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs
import yaml

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

ASSUMED_KEYWORDS = "x-cudis-assumed-keywords"
"""Maps a schema's keywords the vendor's page does not state to the assumption behind each."""


def read_yaml(path: Path) -> Any:
    """A YAML file's data (libyaml when present: the same data, several times faster)."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def escape(token: str) -> str:
    """`token` as one JSON-pointer segment."""
    return token.replace("~", "~0").replace("/", "~1")


def _strip_assumed(node: Any) -> Any:
    """A copy of `node` without the keywords each schema marks as assumed."""
    if isinstance(node, dict):
        assumed = set(node.get(ASSUMED_KEYWORDS, ()))
        return {k: _strip_assumed(v) for k, v in node.items() if k not in assumed}
    if isinstance(node, list):
        return [_strip_assumed(v) for v in node]
    return node


class SchemaValidator:
    """The validator of one schema, compiled on first use.

    Importing jsonschema and compiling costs tens of milliseconds a server start does not need
    while every body it sees is valid (a `fast_check` lets those through), so it waits for the
    first document to explain. Anything else a `Draft202012Validator` has is reached through it.
    """

    def __init__(self, build: Callable[[], Draft202012Validator]) -> None:
        self._build = build
        self._compiled: Draft202012Validator | None = None

    @property
    def compiled(self) -> Draft202012Validator:
        if self._compiled is None:
            self._compiled = self._build()
        return self._compiled

    def iter_errors(self, instance: Any) -> Iterator[ValidationError]:
        return self.compiled.iter_errors(instance)

    def is_valid(self, instance: Any) -> bool:
        return bool(self.compiled.is_valid(instance))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled, name)


class SpecDocument:
    """One OpenAPI (or JSON Schema) document with a registry to compile validators for its schemas."""

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path
        self.raw: dict[str, Any] = read_yaml(path)
        self.uri = f"urn:cudis-spec:{name}"
        self._validators: dict[tuple[bool, str], SchemaValidator] = {}
        self._fast_checks: dict[str, Callable[[Any], bool]] = {}
        self._vendor_raw: dict[str, Any] | None = None

    def at(self, pointer: str) -> Any:
        """The node at `pointer` (e.g. `#/components/schemas/X`), following a `$ref` it lands on."""
        node: Any = self.raw
        for part in pointer.lstrip("#/").split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        while isinstance(node, dict) and set(node) == {"$ref"}:
            node = self.at(node["$ref"])
        return node

    def deref(self, node: Any) -> Any:
        """`node` with its `$ref` followed; keywords beside the `$ref` are kept over the target's."""
        while isinstance(node, Mapping) and "$ref" in node:
            target = self.at(str(node["$ref"]))
            extra = {k: v for k, v in node.items() if k != "$ref"}
            node = {**target, **extra} if extra else target
        return node

    def validator(self, pointer: str, *, vendor_only: bool = False) -> SchemaValidator:
        """A validator for the schema at `pointer`; `vendor_only` leaves assumed keywords out."""
        key = (vendor_only, pointer)
        if key not in self._validators:
            self._validators[key] = SchemaValidator(lambda: self._compile(pointer, vendor_only))
        return self._validators[key]

    def _compile(self, pointer: str, vendor_only: bool) -> Draft202012Validator:
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        contents = self._vendor_document() if vendor_only else self.raw
        uri = self.uri + (":vendor" if vendor_only else "")
        registry: Registry[Any] = Registry().with_resource(
            uri, Resource.from_contents(contents, default_specification=DRAFT202012)
        )
        return Draft202012Validator({"$ref": f"{uri}{pointer}"}, registry=registry)

    def fast_check(self, pointer: str) -> Callable[[Any], bool]:
        """A compiled yes/no check of the schema at `pointer` (jsonschema-rs).

        About a hundred times faster than `validator(pointer)`; use it to let valid documents
        through and `validator` to explain invalid ones.
        """
        if pointer not in self._fast_checks:
            compiled = jsonschema_rs.Draft202012Validator({**self.raw, "$ref": pointer}, validate_formats=False)
            self._fast_checks[pointer] = compiled.is_valid
        return self._fast_checks[pointer]

    def _vendor_document(self) -> dict[str, Any]:
        if self._vendor_raw is None:
            self._vendor_raw = dict(_strip_assumed(self.raw))
        return self._vendor_raw
