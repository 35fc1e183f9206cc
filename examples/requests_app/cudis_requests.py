"""A small CUDIS client built on requests, as a partner app might write it.

What it does that an app needs against the real API:
* retries on 503 (and 429, 5xx, a dropped connection), waiting `Retry-After` when given;
* signs in again once on 20007 ("Session expired"), through the `login` callback;
* pages a long range in 30-day windows and merges the days (a local day can straddle a window
  boundary, so it keeps each date once).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import requests

SESSION_EXPIRED = 20007
RETRYABLE_STATUS = {429, 500, 502, 503, 504}
PAGE_SECONDS = 30 * 86400


class CudisError(Exception):
    def __init__(self, code: int, msg: str) -> None:
        super().__init__(f"CUDIS answered {code}: {msg}")
        self.code = code


class CudisUnavailable(CudisError):
    """Still failing after every retry."""


class CudisClient:
    def __init__(
        self,
        base_url: str,
        client_id: str,
        login: Callable[[], str],
        *,
        retries: int = 3,
        backoff: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self._login = login
        self._token = login()
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._http = requests.Session()

    def close(self) -> None:
        self._http.close()

    def query(self, metric: str, start: int, end: int) -> dict[str, Any]:
        """One query's `data`, with retries and one re-login."""
        signed_in_again = False
        attempt = 0
        while True:
            try:
                response = self._http.get(
                    f"{self.base_url}/partner/v1/query/{metric}",
                    json={"startTime": start, "endTime": end},
                    headers={"Authorization": f"Bearer {self._token}", "Cudis-Client-Id": self.client_id},
                    timeout=10,
                )
                body = response.json() if response.status_code not in RETRYABLE_STATUS else None
            except (requests.ConnectionError, requests.JSONDecodeError):
                response, body = None, None
            if body is not None and body.get("code") == 200:
                return dict(body["data"])
            if body is not None and body.get("code") == SESSION_EXPIRED and not signed_in_again:
                self._token, signed_in_again = self._login(), True
                continue
            if body is not None:
                raise CudisError(body["code"], body["msg"])
            if attempt >= self.retries:
                raise CudisUnavailable(response.status_code if response is not None else 0, "no answer after retries")
            retry_after = response.headers.get("Retry-After") if response is not None else None
            self._sleep(float(retry_after) if retry_after else self.backoff * 2**attempt)
            attempt += 1

    def days(self, metric: str, first: date, last: date) -> list[dict[str, Any]]:
        """Every day from `first` to `last` (inclusive, UTC), fetched in 30-day pages."""
        start = int(datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp())
        end = int(datetime(last.year, last.month, last.day, tzinfo=UTC).timestamp()) + 86400
        by_date: dict[str, dict[str, Any]] = {}
        for page_start in range(start, end, PAGE_SECONDS):
            for day in self.query(metric, page_start, min(page_start + PAGE_SECONDS, end))["list"]:
                by_date.setdefault(day["date"], day)
        return [by_date[d] for d in sorted(by_date)]
