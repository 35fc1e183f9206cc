"""The `{code, msg, data}` envelope, the typed errors that become one, and their HTTP status."""

from __future__ import annotations

import json
from typing import Any, Literal

from ..spec import Spec

ErrorStatusMode = Literal["200", "mapped"]

SUCCESS = 200
SESSION_EXPIRED = 20007
BAD_BODY = 40000
INVALID_FIELD = 40001
INVALID_RANGE = 40002
NOT_FOUND = 40400
METHOD_NOT_ALLOWED = 40500
TOO_LARGE = 41300
UNSUPPORTED_MEDIA = 41500
TOO_MANY_REQUESTS = 42900
INTERNAL = 50000
UNAVAILABLE = 50300


class ApiError(Exception):
    """An error answered as an envelope; `detail` fills the catalogue's `{detail}`."""

    code: int = INTERNAL

    def __init__(
        self, detail: str = "", *, field: str = "", reason: str = "", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.reason = reason
        """Why, for logs and the journal, where `msg` is fixed by the vendor's page."""
        self.headers = headers or {}


class SessionExpired(ApiError):
    code = SESSION_EXPIRED


class BadBody(ApiError):
    code = BAD_BODY


class InvalidField(ApiError):
    code = INVALID_FIELD


class InvalidRange(ApiError):
    code = INVALID_RANGE


class NotFound(ApiError):
    code = NOT_FOUND


class MethodNotAllowed(ApiError):
    code = METHOD_NOT_ALLOWED


class TooLarge(ApiError):
    code = TOO_LARGE


class UnsupportedMedia(ApiError):
    code = UNSUPPORTED_MEDIA


class Internal(ApiError):
    code = INTERNAL


def error_message(spec: Spec, error: ApiError) -> str:
    template = spec.codes[error.code].msg
    return template.format(field=error.field or "request", detail=error.detail)


def http_status(spec: Spec, code: int, mode: ErrorStatusMode) -> int:
    """The HTTP status of an envelope (see the `error-http-status` assumption)."""
    info = spec.codes[code]
    if info.fixed_http or mode == "mapped":
        return info.http
    return 200


def success_body(data: Any) -> bytes:
    return json.dumps({"code": SUCCESS, "msg": "success", "data": data}, separators=(",", ":")).encode()


def success_body_json(data_json: str) -> bytes:
    """`success_body(data)` from `data` already serialised the same way."""
    return f'{{"code":{SUCCESS},"msg":"success","data":{data_json}}}'.encode()


def error_body(code: int, msg: str) -> bytes:
    return json.dumps({"code": code, "msg": msg, "data": None}, separators=(",", ":")).encode()
