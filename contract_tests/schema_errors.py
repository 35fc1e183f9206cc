"""How a JSON Schema error reads in a report, and whether it breaks only an assumption of the spec."""

from __future__ import annotations

from collections.abc import Mapping

from jsonschema import ValidationError

from cudis_spec.document import ASSUMED_KEYWORDS


def error_path(error: ValidationError) -> str:
    """`data.list[].maxY`: where the error is (with a missing property's name), list indices left out."""
    text = ""
    for part in error.absolute_path:
        text += "[]" if isinstance(part, int) else f".{part}"
    if error.validator == "required" and isinstance(error.instance, Mapping):
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        missing = [name for name in required if name not in error.instance]
        text += f".{missing[0]}" if missing else ""
    return text.lstrip(".") or "(the body)"


def error_text(error: ValidationError) -> str:
    """`path: message`, the message cut at 200 characters."""
    message = error.message if len(error.message) < 200 else error.message[:200] + "..."
    return f"{error_path(error)}: {message}"


def assumption_of(error: ValidationError) -> str | None:
    """The assumption behind the keyword a schema error broke, when the schema marks it as assumed."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    assumed: Mapping[str, str] = schema.get(ASSUMED_KEYWORDS, {})
    return assumed.get(str(error.validator))


def assumed(error: ValidationError) -> str | None:
    """The assumption a schema error is about, or None when the page states what was broken.

    A fraction where the page's example shows a whole number (`"countStep": 4291`) breaks the
    type the page shows: a failure, like any other type.
    """
    return assumption_of(error)


def leaves(error: ValidationError) -> list[ValidationError]:
    """The innermost errors under one (a `oneOf` error holds one per branch)."""
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in leaves(sub)]
