"""The contract as the suite reads it: the spec file, its code catalogue, rules, assumptions and validators."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

_ROOTS = (Path(__file__).resolve().parent.parent, Path(__file__).resolve().parent.parent / "mock_server" / "_data")
QUERY_SCHEMAS = {
    "queryHeartBeat": "HeartBeatData",
    "queryStep": "StepData",
    "querySleep": "SleepData",
}
_URI = "urn:cudis-contract:api"
_EXTENSION = "x-cudis-mock-extension"
_ASSUMED = "x-cudis-assumed-keywords"


def spec_path() -> Path:
    for root in _ROOTS:
        candidate = root / "openapi" / "cudis-v1.yaml"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("openapi/cudis-v1.yaml is not installed beside contract_tests")


@dataclass(frozen=True)
class QueryOperation:
    """One documented query operation, as the suite exercises it."""

    operation_id: str
    method: str
    path: str
    success_pointer: str
    """JSON pointer of the success envelope's schema (the `oneOf` member whose `code` is 200)."""
    error_pointer: str
    """JSON pointer of the error envelope's schema."""
    body_pointer: str
    """JSON pointer of the request body's schema."""

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def _strip_assumed(node: Any) -> Any:
    """A copy of `node` without the keywords each schema lists in `x-cudis-assumed-keywords`."""
    if isinstance(node, dict):
        assumed = set(node.get(_ASSUMED, ()))
        return {k: _strip_assumed(v) for k, v in node.items() if k not in assumed}
    if isinstance(node, list):
        return [_strip_assumed(v) for v in node]
    return node


def _resolve_ref(document: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        node = resolve_pointer(document, node["$ref"])
    return node


def resolve_pointer(document: Mapping[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in pointer.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@dataclass(frozen=True)
class Contract:
    raw: dict[str, Any]
    _validators: dict[tuple[bool, str], Draft202012Validator] = field(default_factory=dict, compare=False, repr=False)

    @property
    def http_of_code(self) -> dict[int, int]:
        return {entry["code"]: entry["http"] for entry in self.raw["info"]["x-cudis-codes"]}

    @cached_property
    def bad_input_codes(self) -> frozenset[int]:
        """The codes the spec assumes for bad input: the mock's own 400 and 415 codes."""
        return frozenset(
            entry["code"]
            for entry in self.raw["info"]["x-cudis-codes"]
            if entry.get("source") == "mock" and entry["http"] in (400, 415)
        )

    def assumption(self, assumption_id: str) -> str:
        """The text of one of `info.x-cudis-assumptions`."""
        for entry in self.raw["info"].get("x-cudis-assumptions", []):
            if entry["id"] == assumption_id:
                return " ".join(str(entry["text"]).split())
        raise KeyError(assumption_id)

    def data_rules(self, operation_id: str) -> list[dict[str, Any]]:
        name = QUERY_SCHEMAS[operation_id]
        return list(self.raw["components"]["schemas"][name].get("x-cudis-rules", []))

    @property
    def request_rules(self) -> list[dict[str, Any]]:
        return list(self.raw["components"]["schemas"]["QueryRange"].get("x-cudis-request-rules", []))

    @cached_property
    def query_operations(self) -> tuple[QueryOperation, ...]:
        """The operations the suite checks: the documented query endpoints."""
        found = []
        for path, item in self.raw["paths"].items():
            for method, operation in item.items():
                if not isinstance(operation, dict) or operation.get("operationId") not in QUERY_SCHEMAS:
                    continue
                base = f"#/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}"
                ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
                members = [m["$ref"] for m in ok["oneOf"]]
                success = next(m for m in members if self._is_success_schema(m))
                error = next(m for m in members if m != success)
                body = _resolve_ref(self.raw, operation["requestBody"])
                body_schema = body["content"]["application/json"]["schema"]
                found.append(
                    QueryOperation(
                        operation_id=operation["operationId"],
                        method=method.upper(),
                        path=path,
                        success_pointer=success,
                        error_pointer=error,
                        body_pointer=body_schema.get("$ref", base),
                    )
                )
        return tuple(found)

    def _is_success_schema(self, pointer: str) -> bool:
        schema = resolve_pointer(self.raw, pointer)
        return bool(schema.get("properties", {}).get("code", {}).get("const") == 200)

    def validator(self, pointer: str, *, vendor_only: bool = False) -> Draft202012Validator:
        """A validator for the schema at `pointer`; with `vendor_only`, assumed keywords are left out."""
        key = (vendor_only, pointer)
        if key not in self._validators:
            document = self._vendor_document if vendor_only else self.raw
            registry: Registry[Any] = Registry().with_resource(
                _URI, Resource.from_contents(document, default_specification=DRAFT202012)
            )
            self._validators[key] = Draft202012Validator({"$ref": _URI + pointer}, registry=registry)
        return self._validators[key]

    @cached_property
    def _vendor_document(self) -> dict[str, Any]:
        return dict(_strip_assumed(self.raw))

    @cached_property
    def suite_view(self) -> dict[str, Any]:
        """The spec as an implementation other than the mock offers it: no mock-only extensions.

        Mock-only parameters (the range in the query string) are left out, and the request
        body the page always sends is required.
        """
        view = copy.deepcopy(self.raw)
        for item in view["paths"].values():
            for operation in item.values():
                if not isinstance(operation, dict) or "parameters" not in operation:
                    continue
                operation["parameters"] = [
                    p for p in operation["parameters"] if _EXTENSION not in _resolve_ref(view, p)
                ]
        for body in view["components"].get("requestBodies", {}).values():
            if _EXTENSION in body:
                body["required"] = True
        return view

    def links(self) -> Iterator[tuple[str, str]]:
        """(operation, link name) for every OpenAPI link the spec declares."""
        for item in self.raw["paths"].values():
            for operation in item.values():
                if not isinstance(operation, dict):
                    continue
                for response in operation.get("responses", {}).values():
                    for name in _resolve_ref(self.raw, response).get("links", {}):
                        yield operation.get("operationId", "?"), name


@cache
def load_contract(path: Path | None = None) -> Contract:
    with (path or spec_path()).open(encoding="utf-8") as handle:
        return Contract(yaml.safe_load(handle))
