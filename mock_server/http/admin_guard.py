"""Who may use the control API (`/__mock__/`): loopback callers, or anyone with the admin token."""

from __future__ import annotations

import ipaddress
import secrets

from flask import Request

from ..oauth.tokens import bearer_token
from .envelope import ControlForbidden

ADMIN_PREFIX = "/__mock__/"
ADMIN_HEADER = "X-Cudis-Mock-Admin"


def is_admin_path(path: str) -> bool:
    return path.startswith(ADMIN_PREFIX)


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def check_admin(request: Request, admin_token: str | None) -> None:
    """Raise ControlForbidden unless `request` may use the control API."""
    if admin_token:
        given = request.headers.get(ADMIN_HEADER) or bearer_token(request.headers.get("Authorization")) or ""
        if not secrets.compare_digest(given.encode("utf-8", "surrogateescape"), admin_token.encode()):
            raise ControlForbidden(
                f"send the admin token in {ADMIN_HEADER}: <token> or Authorization: Bearer <token>"
                + (" (the one given does not match)" if given else "")
            )
    elif not is_loopback(request.remote_addr):
        raise ControlForbidden(
            f"the control API answers only on loopback ({request.remote_addr} is not);"
            " start the mock with --admin-token TOKEN to reach it from elsewhere"
        )
