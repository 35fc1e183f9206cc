"""Decode a JSON request body strictly and explain schema violations field by field. Pure."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cudis_spec import SchemaValidator

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


from .envelope import BadBody, InvalidField, UnsupportedMedia

_JSON_TYPES = {
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    list: "an array",
    dict: "an object",
    type(None): "null",
}


class NonFinite:
    """Stands in for NaN/Infinity, which Python's json accepts but JSON does not have."""

    def __init__(self, text: str) -> None:
        self.text = text


class OutOfRange:
    """Stands in for an integer past Python's limit of 4300 digits, where int() raises ValueError."""

    def __init__(self, text: str) -> None:
        self.text = text

    @property
    def negative(self) -> bool:
        return self.text.lstrip().startswith("-")


def parse_int(text: str) -> int | OutOfRange:
    """An integer literal, or OutOfRange past Python's limit on digits (which would raise ValueError)."""
    try:
        return int(text)
    except ValueError:
        return OutOfRange(text)


def parse_float(text: str) -> float | NonFinite:
    """A float literal; one that overflows to infinity (e.g. 1e400) is refused as not finite."""
    value = float(text)
    return value if math.isfinite(value) else NonFinite(text)


_DECODER = json.JSONDecoder(parse_constant=NonFinite, parse_int=parse_int, parse_float=parse_float)
"""What `json.loads(text, parse_constant=NonFinite, ...)` builds on every call, built once."""


def is_json_media(content_type: str | None) -> bool:
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def is_non_finite(value: Any) -> bool:
    return isinstance(value, NonFinite) or (isinstance(value, float) and not math.isfinite(value))


def describe(value: Any) -> str:
    """A short rendering of a value for an error message."""
    if isinstance(value, (NonFinite, OutOfRange)):
        text = value.text
        return text if len(text) <= 40 else f"{text[:37]}... ({len(text)} characters)"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    try:
        # A NaN or a huge number inside an array or object is shown as the client wrote it.
        text = json.dumps(value, default=_as_written).replace('"\\ufdd0', "").replace('\\ufdd0"', "")
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _as_written(value: Any) -> str:
    if isinstance(value, (NonFinite, OutOfRange)):
        return f"\ufdd0{value.text[:40]}\ufdd0"  # a noncharacter marks where quotes go
    raise TypeError(type(value).__name__)


def decode_object(raw: bytes, content_type: str | None, example: str) -> dict[str, Any]:
    """The body as a JSON object; typed errors say what to send instead (`example`)."""
    if not is_json_media(content_type):
        media = (content_type or "").split(";", 1)[0].strip()
        raise UnsupportedMedia(f"{media!r}; send JSON with Content-Type: application/json, e.g. {example}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadBody(f"the body is not valid UTF-8 (byte {exc.start}); send JSON such as {example}") from None
    if text.startswith("\ufeff"):
        raise BadBody(f"the body starts with a byte order mark (BOM); send UTF-8 without one, e.g. {example}")
    try:
        document = _DECODER.decode(text)
    except RecursionError:
        raise BadBody(f"the JSON is nested too deeply; send a flat object such as {example}") from None
    except json.JSONDecodeError as exc:
        raise BadBody(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); send {example}") from None
    if not isinstance(document, dict):
        raise BadBody(
            f"the body must be a JSON object such as {example} (got {_JSON_TYPES.get(type(document), 'a value')})"
        )
    return document


def missing_property(error: ValidationError) -> str:
    """The property a `required` error is about, or ''."""
    if error.validator == "required" and isinstance(error.instance, dict) and isinstance(error.validator_value, list):
        for name in error.validator_value:
            if name not in error.instance:
                return str(name)
    return ""


def unknown_property(error: ValidationError) -> str:
    """The first property an `additionalProperties: false` error is about, or ''."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        allowed = set(schema.get("properties", {}))
        unknown = sorted(k for k in error.instance if k not in allowed)
        return str(unknown[0]) if unknown else ""
    return ""


def _field_of(error: ValidationError) -> str:
    path = list(error.absolute_path)
    if path:
        return ".".join(str(p) for p in path)
    return unknown_property(error) or missing_property(error)


def check_object(
    document: Mapping[str, Any],
    validator: SchemaValidator,
    messages: Mapping[str, str],
    order: Sequence[str] = (),
    example: str = "",
    ignore: frozenset[str] = frozenset(),
    is_valid: Callable[[Any], bool] | None = None,
) -> None:
    """Raise InvalidField for the first violation, worded from the spec's `x-cudis-messages`.

    `ignore` names schema keywords to skip (e.g. `required` for a partial check).
    `is_valid`, a fast check of the same schema, lets a valid document skip the explaining validator.
    """
    for name, value in document.items():
        if isinstance(value, OutOfRange):
            keyword = "minimum" if value.negative else "maximum"
            hint = messages.get(keyword, f"is too {'small' if value.negative else 'large'} a number")
            raise InvalidField(f"{hint} (got {describe(value)})", field=name)
        if is_non_finite(value):
            hint = messages.get("finite", "must be a finite number (NaN and Infinity are not JSON numbers)")
            raise InvalidField(f"{hint} (got {describe(value)})", field=name)
    if is_valid is not None and not ignore and is_valid(document):
        return
    errors = [e for e in validator.iter_errors(dict(document)) if e.validator not in ignore]
    if not errors:
        return

    def rank(error: ValidationError) -> tuple[int, str]:
        name = _field_of(error).split(".", 1)[0]
        return (list(order).index(name) if name in order else len(order), name)

    error = min(errors, key=rank)
    field = _field_of(error)
    hint = messages.get(str(error.validator), error.message)
    if error.validator == "required":
        raise InvalidField(f"{hint}" + (f"; send {example}" if example else ""), field=field)
    if error.validator == "additionalProperties":
        raise InvalidField(hint, field=field)
    raise InvalidField(f"{hint} (got {describe(error.instance)})", field=field)
