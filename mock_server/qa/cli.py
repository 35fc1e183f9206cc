"""`cudis-mock generate`: datasets of the mock's exact answers, and the edge-case catalogue."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from itertools import chain
from pathlib import Path
from typing import Any, Literal, TextIO

import click

from cudis_spec import load_spec

from ..config import MockConfig, config_from_options, config_options, option
from ..people import FixtureError, Fixtures, load_fixtures
from ..synth import UserProfile
from .dataset import DatasetRequest, Window, dataset
from .edge_cases import catalogue_records, index_markdown
from .population import parse_population, population_size, population_users
from .writers import WRITERS


class _Date(click.ParamType[date]):
    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date; write YYYY-MM-DD", param, ctx)


class _Instant(click.ParamType[float]):
    name = "instant"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        try:
            return float(value)
        except ValueError:
            pass
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is neither Unix seconds nor an ISO date/time (e.g. 2026-11-19T12:00:00Z)", param, ctx)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True)
class GenerateOptions:
    """The flags of `generate` that are not MockConfig settings."""

    users: tuple[str, ...]
    population: tuple[str, ...]
    first: date | None
    last: date | None
    per: Literal["range", "day"]
    format: str
    out: Path | None
    now: float | None
    edge_cases: bool


def _selected_users(fixtures: Fixtures, wanted: tuple[str, ...], population: bool) -> list[UserProfile]:
    if not wanted:
        return [] if population else list(fixtures.users.values())
    ids = [part.strip() for item in wanted for part in item.split(",") if part.strip()]
    unknown = [user_id for user_id in ids if user_id not in fixtures.users]
    if unknown:
        raise click.BadParameter(
            f"unknown user {unknown[0]!r} (known: {', '.join(fixtures.users)})", param_hint="'--users'"
        )
    return [fixtures.users[user_id] for user_id in dict.fromkeys(ids)]


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
        yield handle


def _edge_cases(fixtures: Fixtures, config: MockConfig, now: float, out: Path | None) -> None:
    records = list(catalogue_records(fixtures, config.seed, now, config.empty_days))
    if out is None:
        for record in records:
            sys.stdout.write(json.dumps(record, separators=(",", ":")) + "\n")
        return
    out.mkdir(parents=True, exist_ok=True)
    for index, record in enumerate(records, 1):
        (out / f"{index:02d}-{record['name']}.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(index_markdown(records), encoding="utf-8")
    print(f"cudis-mock generate: {len(records)} edge cases written to {out}", file=sys.stderr)


def _window(args: GenerateOptions) -> Window:
    if args.first is None or args.last is None:
        raise click.UsageError("--from DATE and --to DATE are required (or --edge-cases)")
    window = Window(args.first, args.last)
    if window.last < window.first:
        raise click.UsageError(f"--to {window.last} is before --from {window.first}")
    longest = load_spec().range.longest_days
    if args.per == "range" and longest is not None and window.days > longest + 1:
        raise click.UsageError(
            f"{window.days} days is longer than the mock serves in one query ({longest} days); "
            "split it into several runs, or use --per day"
        )
    return window


def _run(config: MockConfig, args: GenerateOptions) -> None:
    fixtures = load_fixtures(config.fixtures)
    now = args.now if args.now is not None else time.time()
    if args.edge_cases:
        _edge_cases(fixtures, config, now, args.out)
        return
    window = _window(args)
    try:
        specs = [parse_population(text, fixtures.personas) for text in args.population]
    except ValueError as exc:  # its message names --population
        raise click.UsageError(str(exc)) from None
    chosen = _selected_users(fixtures, args.users, bool(specs))
    users: Iterable[UserProfile] = chain(chosen, population_users(config.seed, specs, fixtures.personas))
    request = DatasetRequest(
        seed=config.seed, window=window, now=now, empty_days=config.empty_days, granularity=args.per
    )
    # On a terminal only, and not over records printed to that same terminal.
    quiet = not sys.stderr.isatty() or (args.out is None and sys.stdout.isatty())
    total = len(chosen) + population_size(specs)
    with (
        _output(args.out) as out,
        click.progressbar(
            length=total,
            label=f"generate {total:,} users",
            show_pos=True,
            show_percent=True,
            file=sys.stderr,
            hidden=quiet,
        ) as bar,
    ):
        writer = WRITERS[args.format](out, request)
        for answers in dataset(request, users):
            writer.write(answers)
            bar.update(1)
        writer.close()


@click.command(
    help="Write exactly what `cudis-mock serve` would answer, per user and endpoint, or the edge-case catalogue "
    "(see docs/qa-data.md).",
    short_help="write the mock's exact answers as a dataset, or the edge-case catalogue",
)
@config_options("seed", "fixtures", "empty_days")
@option(
    "--users",
    multiple=True,
    metavar="ID[,ID...]",
    help="fixture users to include (default: all of them, unless --population is given)",
)
@option(
    "--population",
    multiple=True,
    metavar="N|PERSONA:N",
    help="add N synthesised users (pop-00001...), persona drawn per user, or N of one persona; repeatable",
)
@option("--from", "first", type=_Date(), metavar="DATE", help="first local date (YYYY-MM-DD)")
@option("--to", "last", type=_Date(), metavar="DATE", help="last local date, inclusive")
@option(
    "--per",
    type=click.Choice(["range", "day"]),
    default="range",
    show_default=True,
    help="one query per user and endpoint for the whole range, or one per local day",
)
@option("--format", type=click.Choice(sorted(WRITERS)), default="ndjson", show_default=True, help="output format")
@option("--out", type=click.Path(path_type=Path), help="output file (a directory with --edge-cases); default stdout")
@option("--now", type=_Instant(), help="the mock's clock: Unix seconds or an ISO date/time (default: the real time)")
@option("--edge-cases", is_flag=True, help="write the catalogue of boundary datasets with their requests")
def generate(**options: Any) -> int:
    """Run `cudis-mock generate`; 2 on a usage or fixture error, with the reason on stderr."""
    try:
        config = config_from_options(options)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    args = GenerateOptions(**{f.name: options[f.name] for f in fields(GenerateOptions)})
    try:
        _run(config, args)
    except FixtureError as exc:
        click.echo(f"cudis-mock generate: {exc}", err=True)
        return 2
    except BrokenPipeError:
        # `cudis-mock generate ... | head`: the reader left; that is not an error.
        sys.stderr.close()
    return 0
