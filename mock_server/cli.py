"""`cudis-mock`: serve the mock from the command line."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from .app import create_app
from .config import MockConfig, config_from_env
from .context import mock_context
from .oauth.tokens import mint
from .people import FixtureError
from .qa.cli import add_generate_parser, generate
from .serving.banner import banner
from .state import MemoryStore, SqliteStore, Store


class _RequestHandler(WSGIRequestHandler):
    timeout = 10
    """Seconds a client may stay silent mid-request. Without it a client that declares a body and
    never sends it (or a slow-loris) holds a thread forever, e.g. in werkzeug's drain after a 413."""


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


@contextmanager
def _store(config: MockConfig) -> Iterator[Store]:
    """The store `config` asks for: its --state file, a temporary file for workers, or memory."""
    if config.state is not None:
        yield SqliteStore(config.state)
    elif config.workers > 1:
        owner = os.getpid()
        directory = tempfile.mkdtemp(prefix="cudis-mock-")
        try:
            yield SqliteStore(Path(directory) / "state.sqlite")
        finally:
            if os.getpid() == owner:  # a forked worker unwinds through here too
                for name in os.listdir(directory):
                    os.unlink(os.path.join(directory, name))
                os.rmdir(directory)
    else:
        yield MemoryStore()


def _announce(app: Flask, config: MockConfig, port: int) -> None:
    """Mint a token for the default user and print where the mock is and how to call it."""
    host = f"[{config.host}]" if ":" in config.host else config.host
    base_url = f"http://{host}:{port}"
    mock = mock_context(app)
    client, user = mock.fixtures.default_client, mock.fixtures.default_user
    now = mock.clock.now()
    token, record = mint(client.id, user.id, ("daily",), now, config.token_lifetime)
    mock.store.add_token(record)
    lines = [banner(base_url, token, client.id, user.id, config.seed, now).rstrip("\n")]
    if config.workers > 1 or config.state or mock.scenario:
        workers = f"{config.workers} workers, " if config.workers > 1 else ""
        state = (
            f"state in {config.state}" if config.state else "shared temporary state" if workers else "state in memory"
        )
        scenario = f", scenario {mock.scenario.name!r}" if mock.scenario else ""
        lines.append(f"({workers}{state}{scenario})")
    print("\n".join(lines) + "\n", flush=True)


def serve(config: MockConfig) -> int:
    try:
        with _store(config) as store:
            app = create_app(config, store=store)
            if config.workers > 1:
                from .serving.workers import run_workers

                run_workers(app, config.host, config.port, config.workers, lambda port: _announce(app, config, port))
                return 0
            return _serve_single(app, config)
    except (FixtureError, ValueError) as exc:
        print(f"cudis-mock: {exc}", file=sys.stderr)
        return 2


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _serve_single(app: Flask, config: MockConfig) -> int:
    server = make_server(config.host, config.port, app, threaded=True, request_handler=_RequestHandler)
    signal.signal(signal.SIGTERM, _interrupt)  # stop as on Ctrl-C: close the store cleanly
    _announce(app, config, server.server_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
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
