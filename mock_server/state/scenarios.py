"""Scenarios: a YAML file of faults (and a clock) applied at start-up with `--scenario`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cudis_spec import Spec

from ..http.envelope import ApiError
from ..people.files import builtin_fixtures_dir


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    clock: Mapping[str, Any] | None
    """A ClockRequest body (`now`, `frozen`), or None to leave the clock alone."""
    faults: tuple[Mapping[str, Any], ...]
    """FaultRequest bodies."""


def scenarios_dir() -> Path:
    return builtin_fixtures_dir() / "scenarios"


def builtin_names() -> list[str]:
    return sorted(p.stem for p in scenarios_dir().glob("*.yaml"))


def _path(name_or_path: Path) -> Path:
    if name_or_path.is_file():
        return name_or_path
    builtin = scenarios_dir() / f"{name_or_path}.yaml"
    if str(name_or_path) in builtin_names():
        return builtin
    raise ScenarioError(
        f"--scenario {name_or_path}: no such file, nor a built-in scenario (built-in: {', '.join(builtin_names())})"
    )


def load_scenario(name_or_path: Path, spec: Spec, check_fault: Any) -> Scenario:
    """Read and check a scenario; `check_fault(body)` raises on a fault the mock would refuse."""
    path = _path(name_or_path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML ({exc})") from None
    errors = sorted(spec.admin.validator("#/components/schemas/Scenario").iter_errors(document), key=str)
    if errors:
        error = errors[0]
        where = "/".join(str(p) for p in error.absolute_path) or "(document)"
        raise ScenarioError(f"{path}: {where}: {error.message}")
    faults: Sequence[Mapping[str, Any]] = document.get("faults", [])
    for index, body in enumerate(faults):
        try:
            check_fault(body)
        except ApiError as exc:
            where = f"faults/{index}/{exc.field}" if exc.field else f"faults/{index}"
            raise ScenarioError(f"{path}: {where}: {exc.detail}") from None
    return Scenario(
        name=path.stem,
        description=str(document.get("description", "")),
        clock=document.get("clock"),
        faults=tuple(faults),
    )
