"""What `cudis-mock serve` prints: where the mock is and a command that works as pasted."""

from __future__ import annotations

import json
import shlex
import sys
from typing import TYPE_CHECKING

from ..http.host_guard import host_name, is_loopback_name
from ..oauth.tokens import mint
from ..state.locations import describe

if TYPE_CHECKING:
    from ..config import MockConfig
    from ..context import MockContext

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
    """The banner's text: the URL and seed, a token, a curl command, the consent page, how to mint more."""
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


def exposure_warning(config: MockConfig) -> str | None:
    """What to tell someone who serves the control API off loopback without an admin token, or None."""
    if config.admin_token or is_loopback_name(host_name(config.host)):
        return None
    return (
        f"warning: --host {config.host} listens beyond this machine without --admin-token: the control API"
        " (faults, clock, tokens, the journal, the fixture users' passwords) is guarded only by the caller's"
        " address, so anything on this host, a reverse proxy in front of the mock included, can change or read it."
        " Start with --admin-token TOKEN (CUDIS_MOCK_ADMIN_TOKEN), or keep --host 127.0.0.1."
    )


def announce(mock: MockContext, config: MockConfig, port: int) -> None:
    """Mint a token for the default user and print where the mock is and how to call it."""
    host = f"[{config.host}]" if ":" in config.host else config.host
    base_url = f"http://{host}:{port}"
    client, user = mock.fixtures.default_client, mock.fixtures.default_user
    now = mock.clock.now()
    token, record = mint(client.id, user.id, ("daily",), now, config.token_lifetime)
    mock.issue_token(record)
    lines = [banner(base_url, token, client.id, user.id, config.seed, now).rstrip("\n")]
    if config.workers > 1 or config.state or mock.scenario:
        workers = f"{config.workers} workers, " if config.workers > 1 else ""
        state = (
            f"state in {describe(config.state)}"
            if config.state
            else "shared temporary state"
            if workers
            else "state in memory"
        )
        scenario = f", scenario {mock.scenario.name!r}" if mock.scenario else ""
        lines.append(f"({workers}{state}{scenario})")
    warning = exposure_warning(config)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    print("\n".join(lines) + "\n", flush=True)
