"""The `{code, msg, data}` envelope, and the typed errors that become one.

An error names its code by key (`session-expired`); the number, the `msg` template and the
HTTP status come from the spec's code catalogue, at the one place an error is rendered.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeVar

from cudis_spec import CodeCatalogue, CodeInfo

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

_R = TypeVar("_R", bound="Response")


class ApiError(Exception):
    """An error answered as an envelope; `detail` fills the catalogue's `{detail}`."""

    key: str = "internal"
    """The code's key in `x-cudis-codes`."""

    def __init_subclass__(cls, *, key: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.key = key

    def __init__(
        self, detail: str = "", *, field: str = "", reason: str = "", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.reason = reason
        """Why, for logs and the journal, where `msg` is fixed by the vendor's page."""
        self.headers = headers or {}

    def info(self, codes: CodeCatalogue) -> CodeInfo:
        return codes.by_key(self.key)

    def body(self, codes: CodeCatalogue) -> bytes:
        """The error envelope, its `msg` filled from the catalogue's template."""
        info = self.info(codes)
        return error_body(info.code, info.message(field=self.field or "request", detail=self.detail))


# One typed error per code the mock raises, named for the code's key in x-cudis-codes.
class SessionExpired(ApiError, key="session-expired"): ...


class BadBody(ApiError, key="bad-body"): ...


class InvalidField(ApiError, key="invalid-field"): ...


class InvalidRange(ApiError, key="invalid-range"): ...


class ControlForbidden(ApiError, key="control-forbidden"): ...


class NotFound(ApiError, key="not-found"): ...


class MethodNotAllowed(ApiError, key="method-not-allowed"): ...


class TooLarge(ApiError, key="too-large"): ...


class MisdirectedHost(ApiError, key="misdirected-host"): ...


class UnsupportedMedia(ApiError, key="unsupported-media"): ...


class NotRecorded(ApiError, key="not-recorded"): ...


class UpstreamFailure(ApiError, key="upstream-failure"): ...


class Internal(ApiError, key="internal"): ...


class Unavailable(ApiError, key="unavailable"): ...


def success_body_json(codes: CodeCatalogue, data_json: str) -> bytes:
    """The success envelope around `data`, already serialised compactly."""
    success = codes.success
    return f'{{"code":{success.code},"msg":{json.dumps(success.msg)},"data":{data_json}}}'.encode()


def error_body(code: int, msg: str) -> bytes:
    return json.dumps({"code": code, "msg": msg, "data": None}, separators=(",", ":")).encode()


def dumps(value: Any) -> str:
    """Compact JSON, as every response body is written."""
    return json.dumps(value, separators=(",", ":"))


CHALLENGE = 'Bearer error="invalid_token"'
"""RFC 6750 section 3: a 401 (`--error-status mapped` on 20007) says which scheme and why."""


def with_challenge(response: _R) -> _R:
    """`response` with `WWW-Authenticate` when it is a 401 without one."""
    if response.status_code == 401 and "WWW-Authenticate" not in response.headers:
        response.headers["WWW-Authenticate"] = CHALLENGE
    return response
