"""Recorded answers (recordings.yaml, written by `cudis-mock proxy --record`): served back byte for byte.

A recording is keyed by the user, the metric and the range exactly as it was asked; its `data`
is the upstream's JSON text, kept as text so that replaying it cannot change a digit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cudis_spec import Spec

from .yaml_reader import YamlFile

RECORDINGS_FILE = "recordings.yaml"

RecordingKey = tuple[str, str, float, float]
"""(user id, metric, startTime, endTime)."""


def recording_key(user: str, metric: str, start: float, end: float) -> RecordingKey:
    return (user, metric, float(start), float(end))


def load_recordings(doc: YamlFile, spec: Spec, users: Mapping[str, Any]) -> dict[RecordingKey, str]:
    """The recordings of a checked recordings.yaml; a reference the other files cannot resolve is refused."""
    metrics = {op.operation_id: op.metric for op in spec.queries}
    recorded: dict[RecordingKey, str] = {}
    for index, item in enumerate(doc.data["recordings"]):
        where: list[str | int] = ["recordings", index]
        if item["user"] not in users:
            raise doc.fail([*where, "user"], f"unknown user {item['user']!r} (users.yaml does not list it)")
        metric = metrics.get(item["operation"])
        if metric is None:
            raise doc.fail([*where, "operation"], f"not a query operation (known: {', '.join(sorted(metrics))})")
        try:
            json.loads(item["data"])
        except ValueError:
            raise doc.fail([*where, "data"], "not JSON text") from None
        key = recording_key(item["user"], metric, item["startTime"], item["endTime"])
        if recorded.get(key, item["data"]) != item["data"]:
            raise doc.fail([*where, "data"], "another answer for the same user, operation and range is recorded above")
        recorded[key] = item["data"]
    return recorded


def seconds_text(value: float) -> str:
    """A timestamp as it was sent: `1726444800`, not `1.72644e+09`."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def recordings_path(root: Path) -> Path:
    return root / RECORDINGS_FILE
