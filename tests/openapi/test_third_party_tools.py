"""The spec as third-party tools take it, unedited: a generated client, a request/response validator, the
schemathesis CLI with the repo's `schemathesis.toml`; each against a real mock on a free loopback port."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from cudis_spec import files, load_spec

from ..conftest import LiveMock
from ..contract_tests.implementations.reference import CLIENT_ID, TOKEN, Behaviour, create_reference_app
from ..doc_examples import run_shell
from ..servers import in_thread

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RANGE = {"startTime": 1726444800, "endTime": 1726704000}
QUERIES = ("heart_beat", "step", "sleep")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_openapi_core_finds_the_mock_on_any_port_and_validates_real_exchanges(live_mock: LiveMock) -> None:
    from openapi_core import OpenAPI
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    openapi = OpenAPI.from_dict(load_spec().api.raw)
    assert not live_mock.base_url.endswith(":8080")
    good = {"Authorization": f"Bearer {live_mock.mint()}", "Cudis-Client-Id": "cudis-wellness"}
    exchanges = [(good, RANGE), ({"Cudis-Client-Id": "cudis-wellness"}, RANGE), (good, {"startTime": 5})]
    codes = []
    for metric in QUERIES:
        for headers, body in exchanges:
            answer = requests.get(f"{live_mock.base_url}/partner/v1/query/{metric}", headers=headers, json=body)
            codes.append(answer.json()["code"])
            request = RequestsOpenAPIRequest(answer.request)
            if headers is good and body is RANGE:
                openapi.validate_request(request)
            openapi.validate_response(request, RequestsOpenAPIResponse(answer))
    assert set(codes) == {200, 20007, 40001}


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The client openapi-python-client generates from the spec, importable as `cudis_client`."""
    out = tmp_path_factory.mktemp("generated")
    done = subprocess.run(
        [
            *(BIN / "openapi-python-client", "generate", "--path", files.api_spec_path()),
            *("--meta", "none", "--output-path", out / "cudis_client"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("cudis_client")
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == "cudis_client" or n.startswith("cudis_client.")]:
            del sys.modules[name]


def test_a_generated_client_calls_the_three_endpoints_with_the_client_id_in_its_signature(
    live_mock: LiveMock, generated_client: object
) -> None:
    token = live_mock.mint(user_id="doc-example")
    client = importlib.import_module("cudis_client.client").AuthenticatedClient(
        base_url=live_mock.base_url, token=token
    )
    query_range = importlib.import_module("cudis_client.models").QueryRange(
        start_time=RANGE["startTime"], end_time=RANGE["endTime"]
    )
    dates = {}
    for metric in QUERIES:
        endpoint = importlib.import_module(f"cudis_client.api.query.query_{metric}")
        answer = endpoint.sync(client=client, body=query_range, cudis_client_id="cudis-wellness")
        assert (answer.code, answer.msg) == (200, "success"), answer
        dates[metric] = [item.date.isoformat() for item in answer.data.list_]
        refused = endpoint.sync(client=client, body=query_range, cudis_client_id="another-client")
        assert refused.code == 20007
    assert dates["heart_beat"] == ["2024-09-16", "2024-09-17", "2024-09-18"]


def _schemathesis(base_url: str, token: str, client_id: str) -> subprocess.CompletedProcess[str]:
    """The plain CLI run the README would show, from the repo root (where `schemathesis.toml` is)."""
    return subprocess.run(
        [
            *(BIN / "schemathesis", "run", "openapi/cudis-v1.yaml", "--url", base_url),
            *("-H", f"Authorization: Bearer {token}", "-H", f"Cudis-Client-Id: {client_id}"),
            *("--max-examples", "20", "--seed", "7", "--no-color"),
        ],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_the_schemathesis_command_of_the_docs_passes_the_mock_with_the_repos_configuration(live_mock: LiveMock) -> None:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    (command,) = re.findall(r"```sh\n(\.venv/bin/schemathesis run .*?)```", text, re.S)
    script = f"export CUDIS_TOKEN={live_mock.mint()} PYTHONPATH={ROOT}\n{command}"
    done = run_shell(script, live_mock.base_url, cwd=ROOT, timeout=600)
    assert "Configuration:    " + str(ROOT / "schemathesis.toml") in done.stdout
    generated = re.search(r"(\d+) generated, (\d+) passed\n", done.stdout)
    assert generated and generated[1] == generated[2] and int(generated[1]) > 100
    assert "Failures:" not in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("defect", "check"),
    [("accepts-any-token", "auth_refused_by_envelope"), ("wrong-count-step", "contract_with_given_credentials")],
)
def test_the_schemathesis_cli_still_fails_a_broken_implementation(defect: str, check: str) -> None:
    with in_thread(create_reference_app(Behaviour(defect=defect))) as base_url:  # type: ignore[arg-type]
        done = _schemathesis(base_url, TOKEN, CLIENT_ID)
    assert done.returncode == 1
    assert f"Custom check failed: `{check}`" in done.stdout, done.stdout[-4000:]


def test_a_wrong_token_fails_the_schemathesis_cli_run(live_mock: LiveMock) -> None:
    done = _schemathesis(live_mock.base_url, "NOTATOKEN000000000000000000000000", "cudis-wellness")
    assert done.returncode == 1
    assert "valid-request-succeeds" in done.stdout
