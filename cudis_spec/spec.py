"""The spec, loaded once: both documents, the operations table, codes, request and response rules, assumptions."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from . import files
from .assumptions import Assumptions
from .codes import CodeCatalogue
from .document import ASSUMED_KEYWORDS, SpecDocument, read_yaml
from .operations import METRIC, Operation, QueryOperation, operations, query_operation
from .requests import RangeContract, RequestRule

MOCK_EXTENSION = "x-cudis-mock-extension"


class Spec:
    """The API spec (`cudis-v1.yaml`) and the control API spec (`mock-admin.yaml`), as the code uses them."""

    def __init__(self, api_path: Path, admin_path: Path) -> None:
        self.api = SpecDocument("api", api_path)
        self.admin = SpecDocument("admin", admin_path)
        info = self.api.raw["info"]
        self.codes = CodeCatalogue(info["x-cudis-codes"])
        self.assumptions = Assumptions(info.get("x-cudis-assumptions", []))
        self.rule_kinds: dict[str, str] = dict(info.get("x-cudis-rule-kinds", {}))
        self.operations: dict[str, Operation] = {}
        for document in (self.api, self.admin):
            for op in operations(document):
                if op.operation_id in self.operations:
                    raise ValueError(f"operationId {op.operation_id!r} is declared twice")
                self.operations[op.operation_id] = op
        self.queries: tuple[QueryOperation, ...] = tuple(
            query_operation(self.api, op, self.codes.success.code)
            for op in self.operations.values()
            if op.document == "api" and METRIC in op.raw
        )
        self.range = self._range_contract()
        self._check_assumption_ids()

    # -- operations ---------------------------------------------------------------------------

    def query(self, metric: str) -> QueryOperation:
        """The query operation answering `metric` (`heart_beat`, `step`, `sleep`)."""
        for op in self.queries:
            if op.metric == metric:
                return op
        raise KeyError(f"no query operation for metric {metric!r} (known: {', '.join(self.metrics)})")

    def query_by_id(self, operation_id: str) -> QueryOperation:
        for op in self.queries:
            if op.operation_id == operation_id:
                return op
        known = ", ".join(op.operation_id for op in self.queries)
        raise ValueError(f"unknown query operation {operation_id!r} (known: {known})")

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(op.metric for op in self.queries)

    def document(self, name: str) -> SpecDocument:
        return self.api if name == "api" else self.admin

    def response_pointer(self, op: Operation, status: int) -> str | None:
        """Pointer of the JSON schema for `status` of `op` (exact, then `4XX`, then `default`)."""
        document = self.document(op.document)
        responses = op.raw.get("responses", {})
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                response = document.at(f"{op.pointer}/responses/{key}")
                if "application/json" not in response.get("content", {}):
                    return None
                ref = responses[key].get("$ref", f"{op.pointer}/responses/{key}")
                return f"{ref}/content/application~1json/schema"
        return None

    def declares_status(self, op: Operation, status: int) -> bool:
        responses = op.raw.get("responses", {})
        return any(key in responses for key in (str(status), f"{str(status)[0]}XX", "default"))

    def schema_messages(self, pointer: str, document: str = "api") -> dict[str, str]:
        """The `x-cudis-messages` of the schema at `pointer`: what to tell a client that breaks each keyword."""
        node = self.document(document).at(pointer)
        return dict(node.get("x-cudis-messages", {})) if isinstance(node, dict) else {}

    @cached_property
    def max_fault_delay_ms(self) -> int:
        """The most delay injected faults may add to one request (`x-cudis-max-total-delay-ms` of FaultRequest)."""
        return int(self.admin.at("#/components/schemas/FaultRequest")["x-cudis-max-total-delay-ms"])

    @cached_property
    def journal_field_bytes(self) -> dict[str, int]:
        """What one journal entry keeps of a request (`x-cudis-field-bytes` of JournalEntry)."""
        limits = self.admin.at("#/components/schemas/JournalEntry")["x-cudis-field-bytes"]
        return {str(name): int(value) for name, value in limits.items()}

    # -- rules ----------------------------------------------------------------------------------

    def data_rules(self, operation_id: str) -> list[dict[str, Any]]:
        """The `x-cudis-rules` a success answer's `data` of the query operation obeys."""
        schema = self.api.at(self.query_by_id(operation_id).data_pointer)
        return list(schema.get("x-cudis-rules", []))

    def data_rule(self, rule_id: str) -> dict[str, Any]:
        for op in self.queries:
            for rule in self.data_rules(op.operation_id):
                if rule["id"] == rule_id:
                    return rule
        raise KeyError(f"no rule {rule_id!r} in any x-cudis-rules")

    def _range_contract(self) -> RangeContract:
        pointers = {op.body_pointer for op in self.queries}
        if len(pointers) != 1:
            raise ValueError(f"the query operations take different range schemas: {sorted(pointers)}")
        body_pointer = pointers.pop()
        schema = self.api.at(body_pointer)
        fields = tuple(str(name) for name in schema["required"])
        stamp = self.api.deref(schema["properties"][fields[0]])
        return RangeContract(
            body_pointer=body_pointer,
            fields=fields,
            minimum=int(stamp.get("minimum", 0)),
            maximum=int(stamp.get("maximum", 2**53)),
            messages=dict(stamp.get("x-cudis-messages", {})),
            rules=tuple(RequestRule.from_spec(rule) for rule in schema.get("x-cudis-request-rules", [])),
        )

    def _check_assumption_ids(self) -> None:
        named: list[str] = [rule.assumption for rule in self.range.rules if rule.assumption]
        for op in self.queries:
            named += [r["assumption"] for r in self.data_rules(op.operation_id) if "assumption" in r]
        for schema in self.api.raw["components"]["schemas"].values():
            named += list(schema.get(ASSUMED_KEYWORDS, {}).values())
        unknown = sorted(set(named) - set(self.assumptions))
        if unknown:
            raise ValueError(f"the spec names assumptions it does not list in x-cudis-assumptions: {unknown}")

    @cached_property
    def client_id_header(self) -> str:
        """The name of the header that carries the client id (the parameter marked `x-cudis-client-id`)."""
        for parameter in self.api.raw["components"]["parameters"].values():
            if parameter.get("x-cudis-client-id"):
                return str(parameter["name"])
        raise ValueError("the API spec declares no parameter with x-cudis-client-id")

    # -- views for tools --------------------------------------------------------------------------

    @cached_property
    def suite_view(self) -> dict[str, Any]:
        """The API spec as an implementation other than the mock offers it: no mock-only extensions.

        Mock-only parameters (the range in the query string) are left out, and the request
        body the page always sends is required.
        """
        view = copy.deepcopy(self.api.raw)
        for item in view["paths"].values():
            for operation in item.values():
                if not isinstance(operation, dict) or "parameters" not in operation:
                    continue
                operation["parameters"] = [
                    p for p in operation["parameters"] if MOCK_EXTENSION not in self.api.deref(p)
                ]
        for body in view["components"].get("requestBodies", {}).values():
            if MOCK_EXTENSION in body:
                body["required"] = True
        return view

    def links(self) -> Iterator[tuple[str, str]]:
        """(operation, link name) for every OpenAPI link the API spec declares."""
        for op in self.operations.values():
            if op.document != "api":
                continue
            for response in op.raw.get("responses", {}).values():
                for name in self.api.deref(response).get("links", {}):
                    yield op.operation_id, name

    @cached_property
    def fixtures_schema(self) -> dict[str, Any]:
        """The JSON Schema of the mock's fixture files (`fixtures.schema.yaml`)."""
        schema: dict[str, Any] = read_yaml(files.fixtures_schema_path())
        return schema


@cache
def load_spec(api_path: Path | None = None, admin_path: Path | None = None) -> Spec:
    """Both specs, loaded once per process (they are read-only)."""
    return Spec(api_path or files.api_spec_path(), admin_path or files.admin_spec_path())
