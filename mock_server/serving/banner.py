"""What `cudis-mock serve` prints: where the mock is and a command that works as pasted."""

from __future__ import annotations

import json
import shlex

DAY = 86400


def curl_command(base_url: str, token: str, client_id: str, now: float, metric: str = "heart_beat") -> str:
    """A curl command for the last 7 days of `metric`."""
    end = int(now)
    body = json.dumps({"startTime": end - 7 * DAY, "endTime": end})
    return " ".join(
        [
            "curl -s -X GET",
            shlex.quote(f"{base_url}/partner/v1/query/{metric}"),
            "-H",
            shlex.quote(f"Authorization: Bearer {token}"),
            "-H",
            shlex.quote(f"Cudis-Client-Id: {client_id}"),
            "-H",
            shlex.quote("Content-Type: application/json"),
            "-d",
            shlex.quote(body),
        ]
    )


def banner(base_url: str, token: str, client_id: str, user_id: str, seed: int, now: float) -> str:
    return "\n".join(
        [
            f"cudis-mock serving the CUDIS API (V1) at {base_url}  (seed {seed})",
            f"access token for user {user_id!r}, client {client_id!r}: {token}",
            "try:",
            "  " + curl_command(base_url, token, client_id, now),
            f"consent page: {base_url}/oauth/authorize?response_type=token&client_id={client_id}",
            f"mint more tokens: curl -s -X POST {base_url}/__mock__/tokens"
            " -H 'Content-Type: application/json' -d '{\"user_id\": \"athlete\"}'",
            "",
        ]
    )
