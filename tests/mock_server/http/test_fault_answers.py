"""An injected fault's answer as a client sees it: status, envelope, `msg`, and the headers that explain it."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from cudis_spec import load_spec
from mock_server import MockConfig, create_app
from mock_server.serving.bounds import WORKER_TIMEOUT

STEP = "/partner/v1/query/step"
RANGE = {"startTime": 1726358400, "endTime": 1726704000}
FAULT = "X-Cudis-Mock-Fault"


def faulted(client: FlaskClient, auth: dict[str, str], fault: str, path: str = STEP) -> Any:
    return client.get(path, json=RANGE, headers={**auth, FAULT: fault})


@pytest.mark.parametrize(
    ("fault", "status", "body"),
    [
        ("status=503", 503, {"code": 50300, "msg": "Service unavailable: injected HTTP 503 fault"}),
        ("status=502", 502, {"code": 50000, "msg": "Internal error: injected HTTP 502 fault"}),
        ("rate_limit=7", 429, {"code": 42900, "msg": "Too many requests: injected fault; retry after 7 s"}),
    ],
)
def test_a_server_fault_says_it_was_injected(
    client: FlaskClient, auth: dict[str, str], fault: str, status: int, body: dict[str, object]
) -> None:
    response = faulted(client, auth, fault)
    assert response.status_code == status
    assert response.json == {**body, "data": None}
    assert response.headers["X-Cudis-Mock-Reason"] == f"injected fault header-0: {fault}"


def test_a_stored_fault_names_its_id_in_the_reason(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post("/__mock__/faults", json={"kind": "status", "status": 500})
    client.post("/__mock__/faults", json={"kind": "code", "code": 20007})
    response = client.get(STEP, json=RANGE, headers=auth)
    assert response.headers["X-Cudis-Mock-Reason"] == "injected fault f1: status=500"


def test_not_yet_available_names_the_path_the_page_marks(client: FlaskClient, auth: dict[str, str]) -> None:
    response = faulted(client, auth, "code=50100")
    assert response.status_code == 200
    assert response.json == {
        "code": 50100,
        "msg": f"Not yet available: the vendor's page marks {STEP} In Development, Not Yet Available (injected fault)",
        "data": None,
    }


@pytest.mark.parametrize(("fault", "status"), [("code=50100", 501), ("code=20007", 401), ("status=503", 503)])
def test_under_mapped_error_status_a_code_fault_travels_with_its_http_status(fault: str, status: int) -> None:
    client = create_app(MockConfig(error_status="mapped")).test_client()
    token = client.post("/__mock__/tokens", json={}).json["access_token"]  # type: ignore[index]
    auth = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    answer = faulted(client, auth, fault)
    assert answer.status_code == status
    assert ("WWW-Authenticate" in answer.headers) is (status == 401)


def test_a_server_that_cannot_drop_a_connection_says_what_to_use(client: FlaskClient, auth: dict[str, str]) -> None:
    # Flask's test client has no socket to close: the client gets an envelope telling it where drops work.
    response = faulted(client, auth, "drop")
    assert response.status_code == 500
    assert response.json == {
        "code": 50000,
        "msg": "Internal error: this server cannot drop a connection; use cudis-mock serve or the pytest plugin",
        "data": None,
    }


def test_the_journal_shows_the_500_a_drop_fell_back_to(client: FlaskClient, auth: dict[str, str]) -> None:
    faulted(client, auth, "drop")
    (entry,) = client.get("/__mock__/requests").json["requests"]  # type: ignore[index]
    assert (entry["status"], entry["code"]) == (500, 50000)


# ---- the delay one request can be given ------------------------------------------------------------------


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def timed(slept: list[float]) -> FlaskClient:
    """A mock whose injected delays are recorded instead of slept."""
    return create_app(MockConfig(), sleep=slept.append).test_client()


def _token(client: FlaskClient) -> dict[str, str]:
    token = client.post("/__mock__/tokens", json={}).json["access_token"]  # type: ignore[index]
    return {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}


@pytest.mark.parametrize(
    "header",
    ["latency=45000,latency=45000", "latency=60000,latency=60000", "latency=15000,latency=15000", "latency=20001"],
)
def test_a_header_asking_more_delay_than_the_cap_is_refused_at_once(
    timed: FlaskClient, slept: list[float], header: str
) -> None:
    response = faulted(timed, _token(timed), header)
    assert response.json["code"] == 40001, response.data  # type: ignore[index]
    assert FAULT in response.json["msg"] or "too large" in response.json["msg"]  # type: ignore[index]
    assert slept == []


def test_the_header_and_the_stored_faults_share_one_cap(timed: FlaskClient, slept: list[float]) -> None:
    auth = _token(timed)
    assert timed.post("/__mock__/faults", json={"kind": "latency", "min_ms": 1000, "max_ms": 15000}).status_code == 201
    refused = faulted(timed, auth, "latency=6000")
    assert refused.json["code"] == 40001 and "21000 ms" in refused.json["msg"]  # type: ignore[index]
    assert "20000 ms" in refused.json["msg"] and slept == []  # type: ignore[index]
    assert faulted(timed, auth, "latency=5000").json["code"] == 200  # type: ignore[index]
    assert len(slept) == 1 and 5 < slept[0] <= 20


def test_stored_latency_faults_together_stay_under_the_cap(timed: FlaskClient) -> None:
    assert timed.post("/__mock__/faults", json={"kind": "latency", "ms": 15000}).status_code == 201
    second = timed.post("/__mock__/faults", json={"kind": "latency", "ms": 15000, "endpoint": "queryStep"})
    assert second.status_code == 400 and second.json["code"] == 40001  # type: ignore[index]
    assert "30000 ms" in second.json["msg"]  # type: ignore[index]
    assert len(timed.get("/__mock__/faults").json["faults"]) == 1  # type: ignore[index]


def test_the_cap_is_well_under_the_worker_timeout() -> None:
    assert 0 < load_spec().max_fault_delay_ms * 3 <= WORKER_TIMEOUT * 1000
