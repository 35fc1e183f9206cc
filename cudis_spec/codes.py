"""The catalogue of envelope codes (`info.x-cudis-codes`): code, key, msg template, HTTP status, source."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

ErrorStatusMode = Literal["200", "mapped"]
"""How error envelopes travel: with HTTP 200, or with their code's status (`error-http-status`)."""


@dataclass(frozen=True)
class CodeInfo:
    code: int
    key: str
    """A stable name for the code (`session-expired`), as code refers to it."""
    msg: str
    """The `msg`, or its template with `{field}` and `{detail}`."""
    http: int
    fixed_http: bool
    """Always sent with `http`, whatever `--error-status` says (protocol-level errors)."""
    source: str
    """`vendor` (the page documents it) or `mock` (the mock's own)."""

    def message(self, field: str = "request", detail: str = "") -> str:
        """The `msg` with its blanks filled."""
        return self.msg.format(field=field, detail=detail)

    def http_status(self, mode: ErrorStatusMode) -> int:
        """The HTTP status an envelope of this code is sent with (see `error-http-status`)."""
        if self.fixed_http or mode == "mapped":
            return self.http
        return 200


class CodeCatalogue(Mapping[int, CodeInfo]):
    """The codes by number, and by key."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self._by_code: dict[int, CodeInfo] = {}
        self._by_key: dict[str, CodeInfo] = {}
        for entry in entries:
            info = CodeInfo(
                code=int(entry["code"]),
                key=str(entry["key"]),
                msg=str(entry["msg"]),
                http=int(entry["http"]),
                fixed_http=bool(entry.get("fixed_http", False)),
                source=str(entry["source"]),
            )
            if info.code in self._by_code or info.key in self._by_key:
                raise ValueError(f"x-cudis-codes lists code {info.code} or key {info.key!r} twice")
            self._by_code[info.code] = info
            self._by_key[info.key] = info

    def __getitem__(self, code: int) -> CodeInfo:
        return self._by_code[code]

    def __iter__(self) -> Iterator[int]:
        return iter(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)

    def by_key(self, key: str) -> CodeInfo:
        try:
            return self._by_key[key]
        except KeyError:
            raise KeyError(f"no code with key {key!r} in x-cudis-codes (known: {', '.join(self._by_key)})") from None

    @property
    def success(self) -> CodeInfo:
        return self._by_key["success"]

    @property
    def session_expired(self) -> CodeInfo:
        return self._by_key["session-expired"]

    def bad_input_codes(self) -> frozenset[int]:
        """The codes the spec assumes for bad input: the mock's own 400 and 415 codes."""
        return frozenset(c.code for c in self._by_code.values() if c.source == "mock" and c.http in (400, 415))
