"""Configuration comes from one place: environment variables and flags, checked on creation."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server.config import MockConfig, config_from_env


def test_defaults_are_the_embedded_world() -> None:
    config = MockConfig()
    assert (config.host, config.port, config.seed, config.fixtures) == ("127.0.0.1", 8080, 42, None)
    assert config.error_status == "200" and config.empty_days == "omit"
    assert config.token_lifetime == 30 * 86400


def test_environment_variables_apply() -> None:
    config = config_from_env(
        {"CUDIS_MOCK_SEED": "7", "CUDIS_MOCK_FIXTURES": "/tmp/f", "CUDIS_MOCK_VALIDATE_RESPONSES": "yes"}
    )
    assert config.seed == 7 and config.fixtures == Path("/tmp/f") and config.validate_responses is True


def test_flags_override_the_environment() -> None:
    config = config_from_env({"CUDIS_MOCK_SEED": "7"}).with_overrides(seed=9, port=None)
    assert config.seed == 9 and config.port == 8080


@pytest.mark.parametrize(
    "changes",
    [{"error_status": "404"}, {"empty_days": "skip"}, {"token_in": "header"}, {"port": 70000}, {"workers": 0}],
)
def test_invalid_values_are_refused_with_their_name(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=next(iter(changes))):
        MockConfig().with_overrides(**changes)


def test_a_malformed_variable_names_itself() -> None:
    with pytest.raises(ValueError, match="CUDIS_MOCK_PORT='eighty'"):
        config_from_env({"CUDIS_MOCK_PORT": "eighty"})
