"""`cudis-contract`: check an implementation of the CUDIS API against the contract from the command line.

Exit codes: 0 the implementation conforms, 1 it breaks a rule (or, with --strict, an
assumption), 2 a usage error or a server that cannot be reached.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .report import render_text, write_junit
from .runner import DEFAULT_MAX_EXAMPLES, SuiteOptions, run_suite
from .transport import ContractUsageError, check_reachable, mint_mock_token, mock_now, parse_rate_limit

_EXPIRED_LIFETIME = 1
"""Seconds of life of the token minted to probe expiry against the mock; it is used at the end of the run."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cudis-contract",
        description="Check an implementation of the CUDIS API (V1) against openapi/cudis-v1.yaml.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="run the contract suite against a server",
        description="Exit 0: conforms; 1: a rule is broken (a warning too, with --strict); 2: usage error/unreachable.",
    )
    run.add_argument("--base-url", required=True, help="the implementation, e.g. http://127.0.0.1:8080")
    run.add_argument("--client-id", help="the Cudis-Client-Id the token was issued to")
    run.add_argument("--token", help="a valid access token; against cudis-mock, omit it and one is minted")
    run.add_argument("--expired-token", help="an expired access token, to check that it is refused")
    run.add_argument(
        "--max-examples",
        type=int,
        default=DEFAULT_MAX_EXAMPLES,
        help=f"generated requests per operation and generator (default {DEFAULT_MAX_EXAMPLES})",
    )
    run.add_argument("--seed", type=int, help="seed of the generated requests (the report prints the one used)")
    run.add_argument("--rate-limit", help="at most this many requests, e.g. 20 or 20/s or 600/m")
    run.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each response (default 10)")
    run.add_argument("--junit-xml", type=Path, metavar="FILE", help="also write the results as JUnit XML")
    run.add_argument("--strict", action="store_true", help="fail on deviations from the spec's assumptions too")
    return parser


@dataclass(frozen=True)
class Credentials:
    client_id: str
    token: str
    expired_token: Callable[[], str | None] | None = None
    """Asked at the end of the run, for the expired-token probe."""
    minted: bool = False
    clock_offset: float = 0.0
    """Seconds the mock's clock is ahead of this machine's."""


def resolve_credentials(base_url: str, client_id: str | None, token: str | None, timeout: float) -> Credentials:
    """The credentials given, or (against cudis-mock, with no --token) minted through its control API."""
    if token:
        if not client_id:
            raise ContractUsageError("--client-id is required with --token (the client the token was issued to)")
        return Credentials(client_id, token)
    grant = mint_mock_token(base_url, client_id, timeout=timeout)
    if grant is None:
        raise ContractUsageError(
            f"no --token given, and {base_url} is not a cudis-mock (POST /__mock__/tokens minted nothing): "
            "pass --token and --client-id"
        )
    short = mint_mock_token(base_url, grant.client_id, expires_in=_EXPIRED_LIFETIME, timeout=timeout)
    started = mock_now(base_url, timeout)
    minted_at = time.monotonic()

    def expired() -> str | None:
        # Only once it has lapsed by the mock's own clock, which a test may have frozen or moved.
        if short is None:
            return None
        now = mock_now(base_url, timeout)
        if now is not None:
            # The grant gives expires_at in whole seconds (rounded down): wait one more.
            return short.access_token if now >= short.expires_at + 1 else None
        return short.access_token if time.monotonic() - minted_at > _EXPIRED_LIFETIME + 1 else None

    offset = started - time.time() if started is not None else 0.0
    return Credentials(grant.client_id, grant.access_token, expired, minted=True, clock_offset=offset)


def run(args: argparse.Namespace) -> int:
    if args.max_examples < 1:
        raise ContractUsageError("--max-examples must be at least 1")
    rate = parse_rate_limit(args.rate_limit) if args.rate_limit else None
    check_reachable(args.base_url, args.timeout)
    credentials = resolve_credentials(args.base_url, args.client_id, args.token, args.timeout)
    options = SuiteOptions(
        base_url=args.base_url,
        client_id=credentials.client_id,
        token=credentials.token,
        expired_token=args.expired_token,
        max_examples=args.max_examples,
        seed=args.seed,
        rate_limit=rate,
        timeout=args.timeout,
        clock_offset=credentials.clock_offset,
    )
    if credentials.minted:
        print(f"cudis-contract: minted a token for client {credentials.client_id!r} through the mock's control API")
    report = run_suite(options, expired_token=None if args.expired_token else credentials.expired_token)
    sys.stdout.write(render_text(report, strict=args.strict))
    if args.junit_xml:
        write_junit(report, args.junit_xml, strict=args.strict)
        print(f"JUnit XML written to {args.junit_xml}")
    return report.exit_code(args.strict)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except ContractUsageError as exc:
        print(f"cudis-contract: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
