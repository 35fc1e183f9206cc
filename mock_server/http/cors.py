"""CORS on the query endpoints, so that a page on another origin can call the API (spec assumption `cors`).

Only the query endpoints grant an origin. `/oauth/*` is navigated to, never fetched (granting it would
let a foreign page read the consent form's CSRF token), and the control API (`/__mock__/*`) must never
be readable or writable from a foreign page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response, request

from cudis_spec import Spec

from ..config import cors_origins
from ..context import mock_context
from .fault_answers import REASON_HEADER

ASSUMPTION = "cors"
ALLOW_HEADERS = ("Authorization", "Cudis-Client-Id", "Content-Type", "X-Cudis-Mock-Fault")
"""What the API's callers send: credentials, the JSON body's type and the mock's per-request fault header."""
EXPOSE_HEADERS = (REASON_HEADER, "Retry-After", "WWW-Authenticate")
"""Why a 20007 came back, when to retry a 429/503, the challenge of a mapped 401: all worth reading from a page."""
MAX_AGE_SECONDS = 600
"""Chromium caps a preflight's cache at 2 hours; 10 minutes keeps a changed `--cors-origins` visible soon."""


@dataclass(frozen=True)
class CorsPolicy:
    origins: frozenset[str] | None
    """The granted origins; None grants any."""
    paths: dict[str, str]
    """Each query endpoint's path and its method."""

    def grants(self, origin: str | None) -> bool:
        return bool(origin) and (self.origins is None or origin in self.origins)

    def method_of(self, path: str) -> str | None:
        return self.paths.get(path)


def policy(spec: Spec, setting: str) -> CorsPolicy:
    """The policy `--cors-origins SETTING` gives the spec's query endpoints."""
    spec.assumptions[ASSUMPTION]  # a spec that drops the assumption fails at start-up, not silently
    return CorsPolicy(origins=cors_origins(setting), paths={op.path: op.method for op in spec.queries})


def register(app: Flask) -> None:
    """Answer preflights before anything else runs, and grant every answer to a granted origin."""
    mock = mock_context(app)
    cors = policy(mock.spec, mock.config.cors_origins)
    if cors.origins == frozenset():
        return

    @app.before_request
    def preflight() -> Response | None:
        if request.method != "OPTIONS":  # the cheap test first: every other request passes through here
            return None
        method = cors.method_of(request.path)
        origin = request.headers.get("Origin")
        if method is None or not cors.grants(origin):
            return None
        if "Access-Control-Request-Method" not in request.headers:
            return None  # a plain OPTIONS, not a preflight: the API's 405
        response = Response(status=204)
        del response.headers["Content-Type"]
        response.headers["Access-Control-Allow-Methods"] = method
        response.headers["Access-Control-Allow-Headers"] = ", ".join(ALLOW_HEADERS)
        response.headers["Access-Control-Max-Age"] = str(MAX_AGE_SECONDS)
        return response

    @app.after_request
    def grant(response: Response) -> Response:
        origin = request.environ.get("HTTP_ORIGIN")  # what request.headers reads, without building its map
        if origin is None or cors.method_of(request.path) is None or not cors.grants(origin):
            return response
        assert origin is not None
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSE_HEADERS)
        response.vary.add("Origin")
        return response
