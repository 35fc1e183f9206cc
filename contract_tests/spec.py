"""The contract as the suite reads it: the spec file, its code catalogue, rules and assumptions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

_ROOTS = (Path(__file__).resolve().parent.parent, Path(__file__).resolve().parent.parent / "mock_server" / "_data")
QUERY_SCHEMAS = {
    "queryHeartBeat": "HeartBeatData",
    "queryStep": "StepData",
    "querySleep": "SleepData",
}


def spec_path() -> Path:
    for root in _ROOTS:
        candidate = root / "openapi" / "cudis-v1.yaml"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("openapi/cudis-v1.yaml is not installed beside contract_tests")


@dataclass(frozen=True)
class Contract:
    raw: dict[str, Any]

    @property
    def http_of_code(self) -> dict[int, int]:
        return {entry["code"]: entry["http"] for entry in self.raw["info"]["x-cudis-codes"]}

    def data_rules(self, operation_id: str) -> list[dict[str, Any]]:
        name = QUERY_SCHEMAS[operation_id]
        return list(self.raw["components"]["schemas"][name].get("x-cudis-rules", []))

    @property
    def request_rules(self) -> list[dict[str, Any]]:
        return list(self.raw["components"]["schemas"]["QueryRange"].get("x-cudis-request-rules", []))


@cache
def load_contract(path: Path | None = None) -> Contract:
    with (path or spec_path()).open(encoding="utf-8") as handle:
        return Contract(yaml.safe_load(handle))
