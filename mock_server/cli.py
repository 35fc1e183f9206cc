"""`cudis-mock`: serve the mock from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import MockConfig, config_from_env
from .people.fixtures import FixtureError
from .qa.cli import add_generate_parser, generate
from .serving import WorkersUnavailable
from .serving import serve as serve_mock


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cudis-mock", description="A mock of the CUDIS Ring partner API (V1).")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the mock over HTTP")
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080; 0 picks a free one)")
    serve.add_argument("--seed", type=int, help="seed of the synthetic data (default 42)")
    serve.add_argument("--fixtures", type=Path, help="directory with clients.yaml, users.yaml, personas.yaml")
    serve.add_argument("--error-status", choices=["200", "mapped"], help="HTTP status of error envelopes (default 200)")
    serve.add_argument(
        "--empty-days", choices=["omit", "zero"], help="days without data: left out (default) or listed as zeros"
    )
    serve.add_argument(
        "--token-in",
        choices=["query", "fragment"],
        help="where the authorize redirect puts the token (default query, as the page shows)",
    )
    serve.add_argument("--auto-approve", metavar="USER", help="skip the consent page and approve as this fixture user")
    serve.add_argument("--admin-token", help="require this token on the control API (and allow it off loopback)")
    serve.add_argument(
        "--validate-responses", action="store_true", default=None, help="check every response against the spec"
    )
    serve.add_argument(
        "--state", type=Path, metavar="FILE", help="keep tokens, clock, faults and journal in this SQLite file"
    )
    serve.add_argument(
        "--workers", type=int, metavar="N", help="serve with N gunicorn worker processes sharing one state (default 1)"
    )
    serve.add_argument(
        "--scenario", type=Path, metavar="FILE|NAME", help="apply a scenario of faults at start-up (and on reset)"
    )
    serve.add_argument(
        "--journal-limit",
        type=int,
        metavar="N",
        help="keep the latest N requests in the journal (default 1000; 0: off)",
    )
    add_generate_parser(commands)
    return parser


def _config(args: argparse.Namespace) -> MockConfig:
    return config_from_env().with_overrides(
        host=args.host,
        port=args.port,
        seed=args.seed,
        fixtures=args.fixtures,
        error_status=args.error_status,
        empty_days=args.empty_days,
        token_in=args.token_in,
        auto_approve=args.auto_approve,
        admin_token=args.admin_token,
        validate_responses=args.validate_responses,
        state=args.state,
        workers=args.workers,
        scenario=args.scenario,
        journal_limit=args.journal_limit,
    )


def serve(config: MockConfig) -> int:
    try:
        serve_mock(config)
    except (FixtureError, ValueError, WorkersUnavailable) as exc:
        print(f"cudis-mock: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "generate":
        return generate(args)
    try:
        config = _config(args)
    except ValueError as exc:
        print(f"cudis-mock: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return serve(config)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
