"""A small CUDIS client built on httpx: a daily-steps report for a dashboard.

Same duties as the requests example, written the httpx way: a `Client` with a base URL, an
auth flow that signs in again on 20007, retries on 503 and dropped connections, and a year
fetched month by month.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable, Generator
from datetime import UTC, date, datetime
from typing import Any

import httpx


class SessionAuth(httpx.Auth):
    """Bearer token and client id; on a 20007 envelope, sign in once and resend."""

    def __init__(self, client_id: str, login: Callable[[], str]) -> None:
        self.client_id = client_id
        self.login = login
        self.token = login()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        request.headers["Cudis-Client-Id"] = self.client_id
        response = yield request
        if _code(response) == 20007:
            self.token = self.login()
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request

    requires_response_body = True


def _code(response: httpx.Response) -> int | None:
    try:
        code = response.json().get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, int) else None


class StepsReport:
    def __init__(
        self,
        base_url: str,
        client_id: str,
        login: Callable[[], str],
        *,
        attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http = httpx.Client(base_url=base_url, auth=SessionAuth(client_id, login), timeout=10)
        self.attempts = attempts
        self._sleep = sleep

    def close(self) -> None:
        self.http.close()

    def _query(self, metric: str, start: int, end: int) -> dict[str, Any]:
        for attempt in range(self.attempts):
            try:
                # httpx sends a body on GET only through request(); the API documents a JSON body.
                response = self.http.request(
                    "GET", f"/partner/v1/query/{metric}", json={"startTime": start, "endTime": end}
                )
            except httpx.TransportError:
                self._sleep(0.1 * 2**attempt)
                continue
            if response.status_code == 503 or _code(response) == 50300:
                self._sleep(float(response.headers.get("Retry-After", 0.1 * 2**attempt)))
                continue
            body = response.json()
            if body["code"] != 200:
                raise RuntimeError(f"CUDIS answered {body['code']}: {body['msg']}")
            return dict(body["data"])
        raise RuntimeError(f"CUDIS unavailable after {self.attempts} attempts")

    def monthly_steps(self, year: int) -> dict[int, int]:
        """Steps per month of `year` (UTC months), one query per month."""
        totals: dict[int, int] = {}
        for month in range(1, 13):
            start = datetime(year, month, 1, tzinfo=UTC)
            days = calendar.monthrange(year, month)[1]
            first = int(start.timestamp())
            data = self._query("step", first, first + days * 86400)
            in_month = [d for d in data["list"] if date.fromisoformat(d["date"]).month == month]
            totals[month] = round(sum(d["y"] for d in in_month))
        return totals
