"""The OpenAPI documents, loaded once: operations, compiled validators, the code catalogue."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from . import resources

try:
    import jsonschema_rs as _rs
except ImportError:  # pragma: no cover - installed with schemathesis
    _rs = None  # type: ignore[assignment]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    """The OpenAPI path template, e.g. `/__mock__/tokens/{token}`."""
    document: str
    """`api` or `admin`: which spec declares it."""
    pointer: str
    """JSON pointer of the operation object inside its document."""
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)

    @property
    def flask_rule(self) -> str:
        return self.path.replace("{", "<").replace("}", ">")


@dataclass(frozen=True)
class CodeInfo:
    code: int
    msg: str
    http: int
    fixed_http: bool
    source: str


class SpecDocument:
    """One OpenAPI document with a registry to compile validators for any of its schemas."""

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path
        with path.open(encoding="utf-8") as handle:
            # libyaml when present: the same data, several times faster (start-up time)
            self.raw: dict[str, Any] = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self.uri = f"urn:cudis-mock:{name}"
        resource = Resource.from_contents(self.raw, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(self.uri, resource)
        self._validators: dict[str, Draft202012Validator] = {}

    def resolve(self, pointer: str) -> Any:
        node: Any = self.raw
        for part in pointer.lstrip("#/").split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        while isinstance(node, dict) and set(node) == {"$ref"}:
            node = self.resolve(node["$ref"])
        return node

    def validator(self, pointer: str) -> Draft202012Validator:
        """A compiled validator for the schema at `pointer` (e.g. `#/components/schemas/X`)."""
        if pointer not in self._validators:
            schema = {"$ref": f"{self.uri}{pointer}"}
            self._validators[pointer] = Draft202012Validator(schema, registry=self.registry)
        return self._validators[pointer]

    def fast_check(self, pointer: str) -> Callable[[Any], bool] | None:
        """A compiled yes/no check of the schema at `pointer` (jsonschema-rs), or None without it.

        About a hundred times faster than `validator(pointer)`; use it to let valid documents
        through and `validator` to explain invalid ones.
        """
        if _rs is None:
            return None
        try:
            compiled = _rs.Draft202012Validator({**self.raw, "$ref": pointer}, validate_formats=False)
        except Exception:  # a schema jsonschema-rs cannot compile: the Python validator alone decides
            return None
        is_valid: Callable[[Any], bool] = compiled.is_valid
        return is_valid

    def operations(self) -> Iterator[Operation]:
        for path, item in self.raw.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    op = item[method]
                    escaped = path.replace("~", "~0").replace("/", "~1")
                    yield Operation(
                        operation_id=op["operationId"],
                        method=method.upper(),
                        path=path,
                        document=self.name,
                        pointer=f"#/paths/{escaped}/{method}",
                        raw=op,
                    )


class Spec:
    """The API spec and the control API spec, as the mock and the suite use them."""

    def __init__(self, api_path: Path, admin_path: Path) -> None:
        self.api = SpecDocument("api", api_path)
        self.admin = SpecDocument("admin", admin_path)
        self.operations: dict[str, Operation] = {}
        for document in (self.api, self.admin):
            for op in document.operations():
                if op.operation_id in self.operations:
                    raise ValueError(f"operationId {op.operation_id!r} is declared twice")
                self.operations[op.operation_id] = op
        self.codes: dict[int, CodeInfo] = {
            entry["code"]: CodeInfo(
                code=entry["code"],
                msg=entry["msg"],
                http=entry["http"],
                fixed_http=bool(entry.get("fixed_http", False)),
                source=entry["source"],
            )
            for entry in self.api.raw["info"]["x-cudis-codes"]
        }

    def document(self, name: str) -> SpecDocument:
        return self.api if name == "api" else self.admin

    def request_body_pointer(self, op: Operation) -> str | None:
        """Pointer of the JSON request body schema of `op`, if it has one."""
        body = op.raw.get("requestBody")
        if body is None:
            return None
        if "$ref" in body:
            return f"{body['$ref']}/content/application~1json/schema"
        return f"{op.pointer}/requestBody/content/application~1json/schema"

    def response_pointer(self, op: Operation, status: int) -> str | None:
        """Pointer of the JSON schema for `status` of `op` (exact, then `4XX`, then `default`)."""
        document = self.document(op.document)
        responses = op.raw.get("responses", {})
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                response = document.resolve(f"{op.pointer}/responses/{key}")
                if "application/json" not in response.get("content", {}):
                    return None
                ref = responses[key].get("$ref", f"{op.pointer}/responses/{key}")
                return f"{ref}/content/application~1json/schema"
        return None

    def declares_status(self, op: Operation, status: int) -> bool:
        responses = op.raw.get("responses", {})
        return any(key in responses for key in (str(status), f"{str(status)[0]}XX", "default"))

    def schema_messages(self, pointer: str) -> dict[str, str]:
        """The `x-cudis-messages` of the schema at `pointer` (after $ref)."""
        node = self.api.resolve(pointer)
        return dict(node.get("x-cudis-messages", {})) if isinstance(node, dict) else {}

    def request_rules(self, pointer: str) -> list[dict[str, Any]]:
        node = self.api.resolve(pointer)
        return list(node.get("x-cudis-request-rules", []))

    def assumptions(self) -> list[dict[str, Any]]:
        return list(self.api.raw["info"].get("x-cudis-assumptions", []))


@cache
def load_spec(api_path: Path | None = None, admin_path: Path | None = None) -> Spec:
    """Load both specs once per process (they are read-only)."""
    return Spec(api_path or resources.spec_path(), admin_path or resources.admin_spec_path())
