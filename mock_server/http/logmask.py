"""Keep access tokens out of the logs: a filter that masks anything shaped like one.

Werkzeug's and gunicorn's access logs print the request line with its query string, so a
token that reaches a URL (a browser following the authorize redirect back to a page the mock
serves, a token in a path, `?access_token=` sent by a confused client) would be logged in
clear. Records are rewritten before any handler formats them.
"""

from __future__ import annotations

import logging
import re

from ..oauth.tokens import TOKEN_LENGTH, mask

MASKED_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "cudis_mock")

_SECRET_NAMES = r"(?:access_token|admin_token|token|password|csrf_token)"
_SECRET_PARAM = re.compile(rf"(?i)(\b{_SECRET_NAMES}=)([^&#\s\"']+)")
_SECRET_JSON = re.compile(rf'(?i)("{_SECRET_NAMES}"\s*:\s*")([^"\\]+)')
_BEARER = re.compile(r"(?i)(bearer\s+)([^\s\"',;]+)")
_TOKEN_SHAPE = re.compile(rf"(?<![A-Za-z0-9])[A-Z0-9]{{{TOKEN_LENGTH}}}(?![A-Za-z0-9])")
_ANY_SECRET = re.compile(rf"(?i){_SECRET_NAMES}|bearer|[A-Z0-9]{{{TOKEN_LENGTH}}}")
"""Whatever any of the four patterns could match starts with this: one search spares four."""


def _masked(match: re.Match[str]) -> str:
    name, value = match.group(1), match.group(2)
    # A token keeps its first characters (enough to tell tokens apart); a password keeps none.
    return name + ("…" if "password" in name.lower() else mask(value))


def mask_secrets(text: str) -> str:
    """`text` with every token-shaped run, secret parameter (`access_token=`, `password=`, their JSON
    forms) and bearer credential cut to its first characters."""
    return _mask_all(text) if _ANY_SECRET.search(text) else text


def _mask_all(text: str) -> str:
    text = _SECRET_PARAM.sub(_masked, text)
    text = _SECRET_JSON.sub(_masked, text)
    text = _BEARER.sub(lambda m: m.group(1) + mask(m.group(2)), text)
    return _TOKEN_SHAPE.sub(lambda m: mask(m.group(0)), text)


class TokenMaskingFilter(logging.Filter):
    """Rewrites a record's message with `mask_secrets`; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_log_masking(names: tuple[str, ...] = MASKED_LOGGERS) -> None:
    """Add the filter to the loggers that print URLs (idempotent).

    Loggers are process-wide by nature; the filter holds no state, so adding it once per
    process for every app is safe.
    """
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenMaskingFilter) for f in logger.filters):
            logger.addFilter(TokenMaskingFilter())
