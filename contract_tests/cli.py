"""`cudis-contract`: check an implementation of the CUDIS API against the contract from the command line.

Exit codes: 0 the implementation conforms, 1 it breaks a rule (or, with --strict, an
assumption), 2 a usage error or a server that cannot be reached.

The console script is installed with the base package, the suite's libraries with the `contract`
extra; so this module imports only click at the top, and the suite's modules inside the functions
that use them, once `main` has seen that the extra is installed (and `--help` stays fast).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

ENV_PREFIX = "CUDIS_CONTRACT_"
EXTRA = ("schemathesis", "hypothesis", "requests")
"""What the `contract` extra installs and the suite imports."""

_EXPIRED_LIFETIME = 1
"""Seconds of life of the token minted to probe expiry against the mock; it is used at the end of the run."""

_F = TypeVar("_F", bound=Callable[..., Any])


def _option(*decls: str, **attrs: Any) -> Callable[[_F], _F]:
    """`click.option` with the flag's environment variable, `--base-url` -> CUDIS_CONTRACT_BASE_URL, shown in --help."""
    envvar = ENV_PREFIX + decls[0].lstrip("-").replace("-", "_").upper()
    return click.option(*decls, envvar=envvar, show_envvar=True, **attrs)


@dataclass(frozen=True)
class RunOptions:
    """The flags of `cudis-contract run`."""

    base_url: str
    client_id: str | None
    token: str | None
    expired_token: str | None
    max_examples: int | None
    """None: the suite's default."""
    seed: int | None
    rate_limit: str | None
    timeout: float
    junit_xml: Path | None
    strict: bool
    timezone: str | None
    redirect_uri: str | None
    authorize_url: str | None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
def cli() -> None:
    """Check an implementation of the CUDIS API (V1) against openapi/cudis-v1.yaml.

    Every flag can also be set with its environment variable, e.g. CUDIS_CONTRACT_TOKEN.
    """


@cli.command(
    epilog="Exit 0: conforms; 1: a rule is broken (a warning too, with --strict); 2: usage error/unreachable.",
    short_help="run the contract suite against a server",
)
@_option("--base-url", required=True, help="the implementation, e.g. http://127.0.0.1:8080")
@_option("--client-id", help="the Cudis-Client-Id the token was issued to")
@_option("--token", help="a valid access token; against cudis-mock, omit it and one is minted")
@_option("--expired-token", help="an expired access token, to check that it is refused")
@_option(
    "--max-examples",
    type=click.IntRange(min=1),
    help="generated requests per operation and generator (default: the suite's, 100)",
)
@_option("--seed", type=int, help="seed of the generated requests (the report prints the one used)")
@_option("--rate-limit", help="at most this many requests, e.g. 20 or 20/s or 600/m")
@_option("--timeout", type=float, default=10.0, show_default=True, help="seconds to wait for each response")
@_option("--junit-xml", type=click.Path(path_type=Path), metavar="FILE", help="also write the results as JUnit XML")
@_option("--strict", is_flag=True, help="fail on deviations from the spec's assumptions too")
@_option(
    "--timezone",
    metavar="OFFSET",
    help="the user's UTC offset, e.g. +05:45 or -12 (default: inferred from the answers)",
)
@_option("--redirect-uri", help="a redirect URI registered for --client-id: also check the authorize endpoint")
@_option("--authorize-url", help="the authorize endpoint (default: {base-url}/oauth/authorize)")
def run(**options: Any) -> None:
    """Run the contract suite against a server."""
    click.get_current_context().exit(_run(RunOptions(**options)))


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
    from .transport import ContractUsageError, mint_mock_token, mock_now

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


def _run(args: RunOptions) -> int:
    from .days import parse_offset
    from .report import render_text, write_junit
    from .runner import DEFAULT_MAX_EXAMPLES, SuiteOptions, run_suite
    from .transport import ContractUsageError, check_reachable, parse_rate_limit

    rate = parse_rate_limit(args.rate_limit) if args.rate_limit else None
    try:
        offset = parse_offset(args.timezone) if args.timezone else None
    except ValueError as problem:
        raise ContractUsageError(f"--timezone: {problem}") from None
    check_reachable(args.base_url, args.timeout)
    credentials = resolve_credentials(args.base_url, args.client_id, args.token, args.timeout)
    options = SuiteOptions(
        base_url=args.base_url,
        client_id=credentials.client_id,
        token=credentials.token,
        expired_token=args.expired_token,
        max_examples=DEFAULT_MAX_EXAMPLES if args.max_examples is None else args.max_examples,
        seed=args.seed,
        rate_limit=rate,
        timeout=args.timeout,
        clock_offset=credentials.clock_offset,
        timezone=offset,
        redirect_uri=args.redirect_uri,
        authorize_url=args.authorize_url,
    )
    if credentials.minted:
        print(f"cudis-contract: minted a token for client {credentials.client_id!r} through the mock's control API")
    report = run_suite(options, expired_token=None if args.expired_token else credentials.expired_token)
    sys.stdout.write(render_text(report, strict=args.strict))
    if args.junit_xml:
        write_junit(report, args.junit_xml, strict=args.strict)
        print(f"JUnit XML written to {args.junit_xml}")
    return report.exit_code(args.strict)


def missing_extra() -> list[str]:
    """The modules of the `contract` extra that are not installed."""
    return [name for name in EXTRA if importlib.util.find_spec(name) is None]


def main(argv: Sequence[str] | None = None) -> int:
    """Run `cudis-contract ARGV` and return its exit code (0 conforms, 1 broken, 2 usage error or unreachable)."""
    missing = missing_extra()
    if missing:
        print(
            f"cudis-contract needs the contract extra ({', '.join(missing)} not installed): "
            "pip install 'cudis-mock[contract]'",
            file=sys.stderr,
        )
        return 2
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="cudis-contract")
    except SystemExit as exited:  # click's standalone mode; a ContractUsageError is shown by it, exit 2
        return int(exited.code or 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
