"""Validate the mock's own responses against the spec and its rules (on in tests)."""

from __future__ import annotations

import json
from typing import Any

from cudis_spec import Operation, RangeContext, Spec, check_data


def response_problems(
    spec: Spec, op: Operation, status: int, mimetype: str, body: bytes, context: RangeContext
) -> list[str]:
    """What is wrong with a response of `op`, per the schema and the spec's rules."""
    if not spec.declares_status(op, status):
        return [f"{op.operation_id}: HTTP {status} is not a declared response"]
    pointer = spec.response_pointer(op, status)
    if pointer is None:
        return []
    if mimetype != "application/json":
        if mimetype in op.raw.get("responses", {}).get(str(status), {}).get("content", {}):
            return []  # another type the operation declares (the index page's HTML)
        return [f"{op.operation_id}: HTTP {status} should be application/json, not {mimetype}"]
    try:
        document: Any = json.loads(body)
    except ValueError:
        return [f"{op.operation_id}: the body is not JSON"]
    validator = spec.document(op.document).validator(pointer)
    problems = [
        f"{op.operation_id}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(document)
    ]
    is_query = any(q.operation_id == op.operation_id for q in spec.queries)
    if not problems and is_query and isinstance(document, dict) and document.get("code") == spec.codes.success.code:
        rules = spec.data_rules(op.operation_id)
        problems += [f"{op.operation_id}: {v}" for v in check_data(rules, document.get("data"), context)]
    return problems
