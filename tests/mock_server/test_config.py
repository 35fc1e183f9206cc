"""Configuration in one place: MockConfig's fields are the flags and `CUDIS_MOCK_*` variables, checked on creation."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mock_server.config import MockConfig, config_from_env, config_from_options, config_options


def test_defaults_are_the_embedded_world() -> None:
    config = MockConfig()
    assert (config.host, config.port, config.seed, config.fixtures) == ("127.0.0.1", 8080, 42, None)
    assert config.error_status == "200" and config.empty_days == "omit"
    assert config.token_lifetime == 30 * 86400


def test_environment_variables_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDIS_MOCK_SEED", "7")
    monkeypatch.setenv("CUDIS_MOCK_FIXTURES", "/tmp/f")
    monkeypatch.setenv("CUDIS_MOCK_VALIDATE_RESPONSES", "yes")
    monkeypatch.setenv("CUDIS_MOCK_ERROR_STATUS", "mapped")
    monkeypatch.setenv("CUDIS_MOCK_PORT", "")  # empty: as if unset
    config = config_from_env()
    assert config.seed == 7 and config.fixtures == Path("/tmp/f") and config.validate_responses is True
    assert config.error_status == "mapped" and config.port == 8080


def _parsed(argv: list[str], env: dict[str, str]) -> MockConfig:
    """The MockConfig a command declared with config_options() builds from `argv` and `env`."""
    seen: list[MockConfig] = []

    @click.command()
    @config_options()
    def command(**options: object) -> None:
        seen.append(config_from_options(options))

    result = CliRunner().invoke(command, argv, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return seen[0]


def test_flags_override_the_environment() -> None:
    config = _parsed(["--seed", "9"], {"CUDIS_MOCK_SEED": "7", "CUDIS_MOCK_PORT": "9000"})
    assert config.seed == 9 and config.port == 9000


def test_every_field_is_a_flag_and_a_variable() -> None:
    @click.command()
    @config_options()
    def command(**options: object) -> None: ...

    declared = {p.name: p for p in command.params if isinstance(p, click.Option)}
    assert list(declared) == [f.name for f in fields(MockConfig)]
    for name, param in declared.items():
        assert param.opts == ["--" + name.replace("_", "-")]
        assert param.envvar == "CUDIS_MOCK_" + name.upper()


@pytest.mark.parametrize(
    "changes",
    [{"error_status": "404"}, {"empty_days": "skip"}, {"token_in": "header"}, {"port": 70000}, {"workers": 0}],
)
def test_invalid_values_are_refused_with_their_name(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=next(iter(changes))):
        MockConfig().with_overrides(**changes)


def test_a_malformed_variable_names_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDIS_MOCK_PORT", "eighty")
    with pytest.raises(ValueError, match=r"CUDIS_MOCK_PORT.*'eighty' is not a valid integer"):
        config_from_env()


def test_an_out_of_range_variable_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDIS_MOCK_WORKERS", "0")
    with pytest.raises(ValueError, match="workers must be at least 1"):
        config_from_env()
