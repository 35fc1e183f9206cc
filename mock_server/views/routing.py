"""Routes come from the spec: each operation is bound to the handler of the same operationId."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint

from cudis_spec import Spec

Handler = Callable[..., Any]


class SpecMismatch(RuntimeError):
    """An operation without a handler, or a handler without an operation."""


def operation_blueprint(name: str, spec: Spec, handlers: Mapping[str, Handler]) -> Blueprint:
    """A blueprint with one URL rule per operation in `handlers`, path and method from the spec."""
    blueprint = Blueprint(name, __name__)
    for operation_id, handler in handlers.items():
        op = spec.operations.get(operation_id)
        if op is None:
            raise SpecMismatch(f"handler {name}.{operation_id} has no operation in the spec")
        blueprint.add_url_rule(
            op.flask_rule,
            endpoint=operation_id,
            view_func=handler,
            methods=[op.method],
            provide_automatic_options=False,
        )
    return blueprint


def check_coverage(spec: Spec, handled: set[str]) -> None:
    missing = sorted(set(spec.operations) - handled)
    if missing:
        raise SpecMismatch(f"operations without a handler: {', '.join(missing)}")
