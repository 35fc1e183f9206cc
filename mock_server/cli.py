"""`cudis-mock`: the command line, a thin layer over serving/ (`serve`) and qa/ (`generate`).

The flags of the mock's settings and their `CUDIS_MOCK_<NAME>` variables are declared in config.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .config import config_from_options, config_options, option
from .people import FixtureError
from .serving import WorkersUnavailable
from .serving import serve as serve_mock

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 120}


class _Commands(click.Group):
    """The commands, `generate` imported only when asked for: its modules (datasets, charts,
    writers) are no part of a server's start-up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), "generate"])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == "generate":
            from .qa.cli import generate

            return generate
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings=CONTEXT)
def cli() -> None:
    """A mock of the CUDIS Ring partner API (V1).

    Every flag can also be set with its environment variable, e.g. CUDIS_MOCK_SEED=7.
    """


@cli.command(short_help="serve the mock over HTTP")
@config_options()
def serve(**options: Any) -> int:
    """Serve the mock over HTTP (prints its URL, a token and a curl command once it listens)."""
    try:
        config = config_from_options(options)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        serve_mock(config)
    except (FixtureError, ValueError, WorkersUnavailable) as exc:
        click.echo(f"cudis-mock: {exc}", err=True)
        return 2
    return 0


@cli.command(short_help="forward to a real CUDIS API, judge each answer against the contract, record it")
@option("--upstream", required=True, metavar="URL", help="base URL of the API to forward to")
@config_options("host", "port", "journal_limit", "allowed_hosts")
@option(
    "--upstream-timeout",
    type=float,
    metavar="SECONDS",
    help="wait this long at most for the upstream [default: the spec's proxy-upstream-timeout, 10]",
)
@option("--record", type=click.Path(path_type=Path), metavar="DIR", help="write successful exchanges as fixtures here")
@option("--record-user", metavar="NAME", help="the user the recording is for [default: recorded]")
@option("--authorize-upstream", metavar="URL", help="redirect /oauth/authorize to this sign-in page")
@option(
    "--workers",
    type=int,
    metavar="N",
    help="serve with N processes of the keep-alive gunicorn worker, one journal file between them "
    "(needs cudis-mock[workers]) [default: 1, werkzeug's threaded server]",
)
def proxy(**options: Any) -> int:
    """Forward the query endpoints to --upstream and hand its answers back unchanged, each with an
    X-Cudis-Contract header: the verdict cudis-contract gives for the exchange (pass, fail; RULES or
    warn; RULES). GET /__mock__/requests lists each exchange with the rules it broke."""
    try:
        from cudis_proxy import ProxyConfig
        from cudis_proxy.serve import serve_proxy
    except ModuleNotFoundError as exc:
        click.echo(
            f"cudis-mock: the proxy judges with the contract suite, which needs {exc.name}: "
            "pip install 'cudis-mock[contract]'",
            err=True,
        )
        return 2
    try:
        config = ProxyConfig(**{name: value for name, value in options.items() if value is not None})
        serve_proxy(config)
    except (ValueError, WorkersUnavailable) as exc:
        click.echo(f"cudis-mock: {exc}", err=True)
        return 2
    return 0


@cli.result_callback()
def _exit_with(code: int) -> None:
    """A command's return value is the process's exit code."""
    click.get_current_context().exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `cudis-mock ARGV` and return its exit code: 0 done, 2 a usage error or a setting that cannot be used."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="cudis-mock")
    except SystemExit as done:  # click's standalone mode: usage errors shown, every outcome an exit
        return int(done.code or 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
