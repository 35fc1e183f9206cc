"""The contract suite under pytest: `pytest --pyargs contract_tests --cudis-base-url URL [...]`.

A `pytest11` plugin, so its options exist wherever pytest starts. It only adds options and
fixtures: nothing runs unless the `contract_tests` tests are collected, so other test runs
are untouched (the suite's modules are imported only when its fixture is used).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .runner import Report

_REPORT = pytest.StashKey["Report"]()
_DEFAULT_MAX_EXAMPLES = 100  # runner.DEFAULT_MAX_EXAMPLES, not imported to keep pytest's start-up light


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cudis-contract", "the CUDIS contract suite")
    group.addoption("--cudis-base-url", help="the implementation under test, e.g. http://127.0.0.1:8080")
    group.addoption("--cudis-client-id", help="the Cudis-Client-Id the token was issued to")
    group.addoption("--cudis-token", help="a valid access token (against cudis-mock, omit it and one is minted)")
    group.addoption("--cudis-expired-token", help="an expired access token, to check that it is refused")
    group.addoption("--cudis-max-examples", type=int, default=_DEFAULT_MAX_EXAMPLES, help="requests per generator")
    group.addoption("--cudis-seed", type=int, help="seed of the generated requests")
    group.addoption("--cudis-rate-limit", help="at most this many requests, e.g. 20/s")
    group.addoption("--cudis-strict", action="store_true", help="fail on deviations from the spec's assumptions too")
    group.addoption("--cudis-timezone", help="the user's UTC offset, e.g. +05:45 (default: inferred)")
    group.addoption("--cudis-redirect-uri", help="a redirect URI registered for the client: check authorize too")
    group.addoption("--cudis-authorize-url", help="the authorize endpoint (default: {base-url}/oauth/authorize)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    suite = [
        item for item in items if item.nodeid.split("::")[0].endswith("test_contract.py") and "contract" in item.name
    ]
    if suite and not config.getoption("--cudis-base-url"):
        raise pytest.UsageError("the contract suite needs --cudis-base-url (e.g. http://127.0.0.1:8080)")


def _run(config: pytest.Config) -> Report:
    from .cli import resolve_credentials
    from .days import parse_offset
    from .runner import SuiteOptions, run_suite
    from .transport import ContractUsageError, check_reachable, parse_rate_limit

    base_url = config.getoption("--cudis-base-url")
    try:
        check_reachable(base_url)
        credentials = resolve_credentials(
            base_url, config.getoption("--cudis-client-id"), config.getoption("--cudis-token"), 10.0
        )
        rate = config.getoption("--cudis-rate-limit")
        zone = config.getoption("--cudis-timezone")
        options = SuiteOptions(
            base_url=base_url,
            client_id=credentials.client_id,
            token=credentials.token,
            expired_token=config.getoption("--cudis-expired-token"),
            max_examples=config.getoption("--cudis-max-examples"),
            seed=config.getoption("--cudis-seed"),
            rate_limit=parse_rate_limit(rate) if rate else None,
            clock_offset=credentials.clock_offset,
            timezone=parse_offset(zone) if zone else None,
            seed_flag="--cudis-seed",
            redirect_uri=config.getoption("--cudis-redirect-uri"),
            authorize_url=config.getoption("--cudis-authorize-url"),
        )
        expired = None if options.expired_token else credentials.expired_token
        return run_suite(options, expired_token=expired)
    except (ContractUsageError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def contract_report(pytestconfig: pytest.Config) -> Report:
    """The suite's run against --cudis-base-url, once per session."""
    if _REPORT not in pytestconfig.stash:
        pytestconfig.stash[_REPORT] = _run(pytestconfig)
    return pytestconfig.stash[_REPORT]


@pytest.fixture(scope="session")
def contract_strict(pytestconfig: pytest.Config) -> bool:
    return bool(pytestconfig.getoption("--cudis-strict"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT, None)
    if report is None:
        return
    from .report import render_text

    terminalreporter.section("cudis-contract")
    terminalreporter.write(render_text(report, strict=bool(config.getoption("--cudis-strict"))))
