"""The mock's configuration: one frozen record whose fields are also its flags and environment variables.

Each field of `MockConfig` carries `metadata=flag(help)`; its type (from the annotation),
default and help make the click option `--<field-name>` with the environment variable
`CUDIS_MOCK_<FIELD_NAME>`. `cudis-mock serve` and `generate` declare their options from here
(`config_options`), and wsgi.py, which has no command line, reads the same variables through the
same options (`config_from_env`): there is no second list of names or converters.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from cudis_spec import ErrorStatusMode

ENV_PREFIX = "CUDIS_MOCK_"

_F = TypeVar("_F", bound=Callable[..., Any])


def flag(help: str, metavar: str | None = None) -> dict[str, Any]:
    """The metadata that makes a MockConfig field the flag `--<name>` and the variable `CUDIS_MOCK_<NAME>`."""
    return {"help": help, "metavar": metavar}


@dataclass(frozen=True)
class MockConfig:
    host: str = field(default="127.0.0.1", metadata=flag("interface to listen on"))
    port: int = field(default=8080, metadata=flag("port (0 picks a free one)"))
    seed: int = field(default=42, metadata=flag("seed of the synthetic data"))
    fixtures: Path | None = field(
        default=None,
        metadata=flag("directory with clients.yaml, users.yaml, personas.yaml (default: the built-in ones)", "DIR"),
    )
    error_status: ErrorStatusMode = field(default="200", metadata=flag("HTTP status of error envelopes"))
    empty_days: Literal["omit", "zero"] = field(
        default="omit", metadata=flag("days without data: left out, or listed as zeros")
    )
    validate_responses: bool = field(
        default=False, metadata=flag("check every response against the spec and its rules")
    )
    max_body_bytes: int = field(default=64 * 1024, metadata=flag("largest request body accepted (larger: 413)", "N"))
    token_lifetime: int = field(
        default=30 * 24 * 3600, metadata=flag("seconds a minted token lives (the page: 30 days)", "SECONDS")
    )
    token_in: Literal["query", "fragment"] = field(
        default="query", metadata=flag("where the authorize redirect puts the token (the page shows the query)")
    )
    auto_approve: str | None = field(
        default=None, metadata=flag("skip the consent page and approve as this fixture user", "USER")
    )
    admin_token: str | None = field(
        default=None, metadata=flag("require this token on the control API (and allow it off loopback)", "TOKEN")
    )
    state: str | None = field(
        default=None,
        metadata=flag(
            "keep tokens, clock, faults and journal in this SQLite file, or in Redis at redis://HOST:PORT/DB"
            " (also rediss://, unix://; needs cudis-mock[redis]) for processes on several hosts",
            "FILE|URL",
        ),
    )
    workers: int = field(
        default=1,
        metadata=flag("serve with N gunicorn worker processes sharing one state (needs cudis-mock[workers])", "N"),
    )
    scenario: Path | None = field(
        default=None,
        metadata=flag("apply a scenario of faults at start-up (and on reset): a file or a built-in name", "FILE|NAME"),
    )
    journal_limit: int = field(default=1000, metadata=flag("keep the latest N requests in the journal (0: off)", "N"))
    journal_bytes: int = field(
        default=8 * 1024 * 1024,
        metadata=flag("keep at most N bytes of journal entries in all (the oldest go first)", "N"),
    )
    allowed_hosts: str = field(
        default="",
        metadata=flag(
            "Host names the mock answers besides loopback and --host, comma-separated (*: any, no rebinding guard)",
            "NAMES",
        ),
    )
    replay_only: bool = field(
        default=False,
        metadata=flag("answer only the queries a proxy recording in --fixtures holds; refuse the rest (40410)"),
    )
    cors_origins: str = field(
        default="*",
        metadata=flag("origins whose pages may call the query endpoints: * (any), none, or ORIGIN[,ORIGIN]", "ORIGINS"),
    )

    def __post_init__(self) -> None:
        for name, hint in _hints().items():
            allowed = typing.get_args(hint) if typing.get_origin(hint) is Literal else ()
            if allowed and getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)} (got {getattr(self, name)!r})")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535 (got {self.port})")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1 (got {self.workers})")
        if self.journal_bytes < 1024:
            raise ValueError(f"journal_bytes must be at least 1024 (got {self.journal_bytes})")
        if self.journal_limit < 0:
            raise ValueError(f"journal_limit must be 0 (off) or more (got {self.journal_limit})")
        cors_origins(self.cors_origins)  # refuses a malformed list at start-up

    def with_overrides(self, **changes: Any) -> MockConfig:
        """A copy with the non-None `changes` applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_ORIGIN = re.compile(r"^https?://[^/?#\s,]+$")


def cors_origins(setting: str) -> frozenset[str] | None:
    """The origins `--cors-origins` grants: None for any (`*`), none for `none`, else the listed ones."""
    value = setting.strip()
    if value == "*":
        return None
    if value.lower() == "none":
        return frozenset()
    origins = [origin.strip().rstrip("/") for origin in value.split(",")]
    bad = [origin for origin in origins if not _ORIGIN.match(origin)]
    if bad:
        raise ValueError(
            f"cors_origins: {', '.join(repr(b) for b in bad)} is not an origin;"
            " give *, none or scheme://host[:port] separated by commas (e.g. http://localhost:3000)"
        )
    return frozenset(origins)


@cache
def _hints() -> dict[str, Any]:
    """MockConfig's field types, resolved (the annotations are strings under `from __future__ import annotations`)."""
    return typing.get_type_hints(MockConfig)


def env_var(name: str) -> str:
    """The environment variable of a flag or field: `--empty-days` and `empty_days` give CUDIS_MOCK_EMPTY_DAYS."""
    return ENV_PREFIX + name.lstrip("-").replace("-", "_").upper()


def option(*decls: str, **attrs: Any) -> Callable[[_F], _F]:
    """`click.option` with the flag's environment variable (`env_var` of the first declaration), shown in --help."""
    return click.option(*decls, envvar=env_var(decls[0]), show_envvar=True, **attrs)


def _click_type(hint: Any) -> Any:
    """The click type of a field's annotation; `X | None` is X."""
    if isinstance(hint, types.UnionType):
        (hint,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
    if typing.get_origin(hint) is Literal:
        return click.Choice(typing.get_args(hint))
    if hint is Path:
        return click.Path(path_type=Path)
    return hint


def _option_attrs(f: Field[Any]) -> dict[str, Any]:
    hint = _hints()[f.name]
    attrs: dict[str, Any] = {"help": f.metadata["help"], "default": f.default}
    if hint is bool:
        attrs["is_flag"] = True
    else:
        attrs["type"] = _click_type(hint)
        attrs["show_default"] = f.default is not None
    if f.metadata["metavar"]:
        attrs["metavar"] = f.metadata["metavar"]
    return attrs


def _fields(names: tuple[str, ...]) -> list[Field[Any]]:
    known = {f.name: f for f in fields(MockConfig)}
    return [known[name] for name in names] if names else list(known.values())


def config_options(*names: str) -> Callable[[_F], _F]:
    """Declare the flags of MockConfig's fields `names` (all of them when none is named) on a click command."""

    def declare(command: _F) -> _F:
        for f in reversed(_fields(names)):  # click lists options in the order the decorators are written
            command = option("--" + f.name.replace("_", "-"), **_option_attrs(f))(command)
        return command

    return declare


def config_from_options(values: Mapping[str, Any]) -> MockConfig:
    """The MockConfig of a command's parsed options (the names that are not its fields are ignored)."""
    return MockConfig(**{f.name: values[f.name] for f in fields(MockConfig) if f.name in values})


def config_from_env() -> MockConfig:
    """MockConfig from `CUDIS_MOCK_<NAME>` variables alone (wsgi.py): the flags' own parsing, with no flags given."""
    command = config_options()(click.Command("cudis-mock"))
    try:
        context = command.make_context("cudis-mock", [])
    except click.BadParameter as exc:
        raise ValueError(exc.format_message()) from None
    return config_from_options(context.params)
