"""The CUDIS API contract as code: the only reader of `openapi/`.

Pure (no Flask, schemathesis or hypothesis): the mock and the contract suite both import it,
neither imports the other.

    from cudis_spec import load_spec

    spec = load_spec()
    spec.query("heart_beat").path          # '/partner/v1/query/heart_beat'
    spec.codes.by_key("session-expired")   # CodeInfo(code=20007, ...)
    spec.range.longest_days                # 3660
"""

from __future__ import annotations

from .assumptions import Assumption, Assumptions
from .codes import CodeCatalogue, CodeInfo, ErrorStatusMode
from .document import SchemaValidator, SpecDocument
from .operations import Operation, QueryOperation
from .requests import RangeContract, RequestRule
from .rules import RangeContext, RuleViolation, check_data
from .spec import Spec, load_spec

__all__ = [
    "Assumption",
    "Assumptions",
    "CodeCatalogue",
    "CodeInfo",
    "ErrorStatusMode",
    "Operation",
    "QueryOperation",
    "RangeContext",
    "RangeContract",
    "RequestRule",
    "RuleViolation",
    "SchemaValidator",
    "Spec",
    "SpecDocument",
    "check_data",
    "load_spec",
]
