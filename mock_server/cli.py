"""`cudis-mock`: serve the mock from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import create_app
from .banner import banner
from .config import MockConfig, config_from_env
from .context import mock_context
from .fixtures import FixtureError
from .tokens import mint


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
    )


def serve(config: MockConfig) -> int:
    try:
        app = create_app(config)
    except (FixtureError, ValueError) as exc:
        print(f"cudis-mock: {exc}", file=sys.stderr)
        return 2
    server = make_server(config.host, config.port, app, threaded=True, request_handler=_RequestHandler)
    host = f"[{config.host}]" if ":" in config.host else config.host
    base_url = f"http://{host}:{server.server_port}"
    mock = mock_context(app)
    client, user = mock.fixtures.default_client, mock.fixtures.default_user
    now = mock.clock.now()
    token, record = mint(client.id, user.id, ("daily",), now, config.token_lifetime)
    mock.store.add_token(record)
    print(banner(base_url, token, client.id, user.id, config.seed, now), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(_config(args))
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
