"""The operations table: every operation of both documents, and the query operations with their schemas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .document import SpecDocument, escape

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
METRIC = "x-cudis-metric"


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

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class QueryOperation:
    """A documented query endpoint: its metric and the schemas of what goes in and comes out."""

    operation_id: str
    metric: str
    """The `x-cudis-metric` it answers: `heart_beat`, `step` or `sleep`."""
    method: str
    path: str
    success_pointer: str
    """JSON pointer of the success envelope's schema (the `oneOf` member whose `code` is the success code)."""
    error_pointer: str
    """JSON pointer of the error envelope's schema."""
    body_pointer: str
    """JSON pointer of the request body's schema."""
    data_pointer: str
    """JSON pointer of the success envelope's `data` schema (the one holding `x-cudis-rules`)."""

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def data_schema(self) -> str:
        """The name of the `data` schema, e.g. `HeartBeatData`."""
        return self.data_pointer.rsplit("/", 1)[-1]


def operations(document: SpecDocument) -> Iterator[Operation]:
    for path, item in document.raw.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                op = item[method]
                yield Operation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    document=document.name,
                    pointer=f"#/paths/{escape(path)}/{method}",
                    raw=op,
                )


def query_operation(document: SpecDocument, op: Operation, success_code: int) -> QueryOperation:
    """The query operation `op` (one with `x-cudis-metric`), its schemas found through its 200 response."""
    ok = op.raw["responses"]["200"]["content"]["application/json"]["schema"]
    members = [str(m["$ref"]) for m in ok["oneOf"]]
    success = next(
        m for m in members if document.at(m).get("properties", {}).get("code", {}).get("const") == success_code
    )
    error = next(m for m in members if m != success)
    body_schema = document.deref(op.raw["requestBody"])["content"]["application/json"]["schema"]
    return QueryOperation(
        operation_id=op.operation_id,
        metric=str(op.raw[METRIC]),
        method=op.method,
        path=op.path,
        success_pointer=success,
        error_pointer=error,
        body_pointer=str(body_schema.get("$ref", op.pointer)),
        data_pointer=str(document.at(success)["properties"]["data"]["$ref"]),
    )
