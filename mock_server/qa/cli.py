"""`cudis-mock generate`: datasets of the mock's exact answers, and the edge-case catalogue."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from itertools import chain
from pathlib import Path
from typing import Any, TextIO

from cudis_spec import load_spec

from ..config import MockConfig, config_from_env
from ..people import FixtureError, Fixtures, load_fixtures
from ..synth import UserProfile
from .dataset import DatasetRequest, Window, dataset
from .edge_cases import catalogue_records, index_markdown
from .population import parse_population, population_size, population_users
from .progress import Progress
from .writers import WRITERS


class UsageError(ValueError):
    """A flag that cannot be used; exits with status 2 and the message."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _instant(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither Unix seconds nor an ISO date/time (e.g. 2026-11-19T12:00:00Z)"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def add_generate_parser(commands: Any) -> None:
    """The `generate` sub-command's flags."""
    gen = commands.add_parser(
        "generate",
        help="write the mock's exact answers as a dataset, or the edge-case catalogue",
        description="Write exactly what `cudis-mock serve` would answer, per user and endpoint (see docs/qa-data.md).",
    )
    gen.add_argument("--seed", type=int, help="seed of the synthetic data (default 42, as serve)")
    gen.add_argument("--fixtures", type=Path, help="directory with clients.yaml, users.yaml, personas.yaml")
    gen.add_argument(
        "--users",
        action="append",
        metavar="ID[,ID...]",
        help="fixture users to include (default: all of them, unless --population is given)",
    )
    gen.add_argument(
        "--population",
        action="append",
        metavar="N|PERSONA:N",
        help="add N synthesised users (pop-00001...), persona drawn per user, or N of one persona; repeatable",
    )
    gen.add_argument("--from", dest="first", type=_date, metavar="DATE", help="first local date (YYYY-MM-DD)")
    gen.add_argument("--to", dest="last", type=_date, metavar="DATE", help="last local date, inclusive")
    gen.add_argument(
        "--per",
        choices=["range", "day"],
        default="range",
        help="one query per user and endpoint for the whole range (default), or one per local day",
    )
    gen.add_argument("--format", choices=sorted(WRITERS), default="ndjson", help="output format (default ndjson)")
    gen.add_argument("--out", type=Path, help="output file (a directory with --edge-cases); default stdout")
    gen.add_argument(
        "--now", type=_instant, help="the mock's clock: Unix seconds or an ISO date/time (default: the real time)"
    )
    gen.add_argument("--empty-days", choices=["omit", "zero"], help="as serve's --empty-days (default omit)")
    gen.add_argument(
        "--edge-cases", action="store_true", help="write the catalogue of boundary datasets with their requests"
    )


def _selected_users(fixtures: Fixtures, wanted: list[str] | None, population: bool) -> list[UserProfile]:
    if wanted is None:
        return [] if population else list(fixtures.users.values())
    ids = [part.strip() for item in wanted for part in item.split(",") if part.strip()]
    unknown = [user_id for user_id in ids if user_id not in fixtures.users]
    if unknown:
        raise UsageError(f"--users: unknown user {unknown[0]!r} (known: {', '.join(fixtures.users)})")
    return [fixtures.users[user_id] for user_id in dict.fromkeys(ids)]


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
        yield handle


def _edge_cases(fixtures: Fixtures, config: MockConfig, now: float, out: Path | None) -> int:
    records = list(catalogue_records(fixtures, config.seed, now, config.empty_days))
    if out is None:
        for record in records:
            sys.stdout.write(json.dumps(record, separators=(",", ":")) + "\n")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for index, record in enumerate(records, 1):
        (out / f"{index:02d}-{record['name']}.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(index_markdown(records), encoding="utf-8")
    print(f"cudis-mock generate: {len(records)} edge cases written to {out}", file=sys.stderr)
    return 0


def _window(args: argparse.Namespace) -> Window:
    if args.first is None or args.last is None:
        raise UsageError("--from DATE and --to DATE are required (or --edge-cases)")
    window = Window(args.first, args.last)
    if window.last < window.first:
        raise UsageError(f"--to {window.last} is before --from {window.first}")
    longest = load_spec().range.longest_days
    if args.per == "range" and longest is not None and window.days > longest + 1:
        raise UsageError(
            f"{window.days} days is longer than the mock serves in one query ({longest} days); "
            "split it into several runs, or use --per day"
        )
    return window


def _run(args: argparse.Namespace) -> int:
    config = config_from_env().with_overrides(seed=args.seed, fixtures=args.fixtures, empty_days=args.empty_days)
    fixtures = load_fixtures(config.fixtures)
    now = args.now if args.now is not None else time.time()
    if args.edge_cases:
        return _edge_cases(fixtures, config, now, args.out)
    window = _window(args)
    specs = [parse_population(text, fixtures.personas) for text in args.population or ()]
    chosen = _selected_users(fixtures, args.users, bool(specs))
    users: Iterable[UserProfile] = chain(chosen, population_users(config.seed, specs, fixtures.personas))
    request = DatasetRequest(
        seed=config.seed, window=window, now=now, empty_days=config.empty_days, granularity=args.per
    )
    # No bar over records printed to the same terminal.
    progress = Progress(len(chosen) + population_size(specs), quiet=args.out is None and sys.stdout.isatty())
    with _output(args.out) as out:
        writer = WRITERS[args.format](out, request)
        for answers in dataset(request, users):
            writer.write(answers)
            progress.advance()
        writer.close()
    progress.finish()
    return 0


def generate(args: argparse.Namespace) -> int:
    """Run `cudis-mock generate`; 2 on a usage or fixture error, with the reason on stderr."""
    try:
        return _run(args)
    except (UsageError, FixtureError) as exc:
        print(f"cudis-mock generate: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # --population parsing
        print(f"cudis-mock generate: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `cudis-mock generate ... | head`: the reader left; that is not an error.
        sys.stderr.close()
        return 0
