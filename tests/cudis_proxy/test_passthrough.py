"""Answers pass through the proxy unchanged, byte for byte, with the contract's verdict added."""

from __future__ import annotations

import pytest
import requests

from cudis_proxy import ProxyConfig, create_proxy_app
from cudis_spec import load_spec

from ..contract_tests.implementations.reference import CLIENT_ID, TOKEN, create_reference_app
from ..servers import MockProcess, in_thread
from .conftest import journal, last_days, proxy_to, query

METRICS = [op.metric for op in load_spec().queries]
BODIES = [last_days(7), last_days(31, ago=40), {"startTime": 1726444800, "endTime": 1726704000}, {"startTime": "x"}]


def _same_answer(through: requests.Response, direct: requests.Response) -> None:
    assert through.status_code == direct.status_code
    assert through.content == direct.content
    assert through.headers["Content-Type"] == direct.headers["Content-Type"]


@pytest.mark.parametrize("metric", METRICS)
def test_the_mocks_answers_come_through_byte_for_byte_with_a_pass(mock_process: MockProcess, metric: str) -> None:
    with proxy_to(mock_process.base_url) as proxy:
        for body in BODIES:
            through = query(proxy, metric, body, mock_process.token, "cudis-wellness")
            direct = query(mock_process.base_url, metric, body, mock_process.token, "cudis-wellness")
            _same_answer(through, direct)
            assert through.headers["X-Cudis-Contract"] == "pass"
            # A header of the upstream's own comes through too.
            assert through.headers["X-Cudis-Mock-Worker"] == direct.headers["X-Cudis-Mock-Worker"]


def test_a_query_string_range_and_another_method_come_through(mock_process: MockProcess) -> None:
    with proxy_to(mock_process.base_url) as proxy:
        params = last_days(3)
        headers = {"Authorization": f"Bearer {mock_process.token}", "Cudis-Client-Id": "cudis-wellness"}
        through = requests.get(f"{proxy}/partner/v1/query/step", params=params, headers=headers, timeout=10)
        direct = requests.get(f"{mock_process.base_url}/partner/v1/query/step", params=params, headers=headers)
        _same_answer(through, direct)
        post = requests.post(f"{proxy}/partner/v1/query/step", json=params, headers=headers, timeout=10)
        assert post.status_code == 405 and post.headers["Allow"] == "GET"
        assert post.headers["X-Cudis-Contract"] == "pass"


def test_a_head_comes_through_as_the_upstream_answered_it(mock_process: MockProcess) -> None:
    with proxy_to(mock_process.base_url) as proxy:
        headers = {"Authorization": f"Bearer {mock_process.token}", "Cudis-Client-Id": "cudis-wellness"}
        through = requests.head(f"{proxy}/partner/v1/query/step", json=last_days(3), headers=headers, timeout=10)
        direct = requests.head(f"{mock_process.base_url}/partner/v1/query/step", json=last_days(3), headers=headers)
        _same_answer(through, direct)
        assert through.content == b"" and through.headers["Content-Length"] == direct.headers["Content-Length"]
        assert through.headers["X-Cudis-Contract"] == "pass"
        (entry,) = journal(proxy)
        assert (entry["method"], entry["status"], entry["upstream_failure"]) == ("HEAD", direct.status_code, None)


@pytest.mark.parametrize("metric", METRICS)
def test_the_reference_implementations_answers_come_through_byte_for_byte(metric: str) -> None:
    with in_thread(create_reference_app()) as upstream, proxy_to(upstream) as proxy:
        for body in BODIES:
            through = query(proxy, metric, body, TOKEN, CLIENT_ID)
            direct = query(upstream, metric, body, TOKEN, CLIENT_ID)
            _same_answer(through, direct)
            assert through.headers["X-Cudis-Contract"] in ("pass", "warn; bad-input-codes")


def test_the_journal_lists_each_exchange_with_its_verdict_and_masks_the_token(mock_process: MockProcess) -> None:
    with proxy_to(mock_process.base_url) as proxy:
        query(proxy, "heart_beat", last_days(2), mock_process.token, "cudis-wellness")
        query(proxy, "heart_beat", last_days(2), mock_process.token, "")
        entries = journal(proxy)
        assert [e["verdict"] for e in entries] == ["pass", "pass"]
        assert entries[0]["status"] == 200 and entries[0]["code"] == 200 and entries[0]["broken"] == []
        assert entries[1]["code"] == 20007
        text = requests.get(f"{proxy}/__mock__/requests", timeout=10).text
        assert mock_process.token not in text
        assert entries[0]["headers"]["Authorization"].startswith("Bearer " + mock_process.token[:4])
        assert requests.delete(f"{proxy}/__mock__/requests", timeout=10).status_code == 204
        assert journal(proxy) == []


def test_other_paths_get_a_clear_envelope_and_authorize_redirects_when_asked(mock_process: MockProcess) -> None:
    with proxy_to(mock_process.base_url) as proxy:
        other = requests.get(f"{proxy}/partner/v1/query/weight", timeout=10)
        assert other.json()["code"] == 40400 and "query endpoints only" in other.json()["msg"]
        assert requests.get(f"{proxy}/oauth/authorize", timeout=10).json()["code"] == 40400
    sign_in = "https://sign-in.example/oauth/authorize"
    with proxy_to(mock_process.base_url, authorize_upstream=sign_in) as proxy:
        asked = "client_id=cudis-wellness&redirect_uri=https%3A%2F%2Fexample.com%2Fcallback"
        answer = requests.get(f"{proxy}/oauth/authorize?{asked}", allow_redirects=False, timeout=10)
        assert answer.status_code == 302 and answer.headers["Location"] == f"{sign_in}?{asked}"


def test_the_journal_answers_on_loopback_only() -> None:
    client = create_proxy_app(ProxyConfig(upstream="http://127.0.0.1:9")).test_client()
    assert client.get("/__mock__/requests").status_code == 200
    refused = client.get("/__mock__/requests", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert refused.status_code == 403 and refused.json["code"] == 40300  # type: ignore[index]
    assert client.delete("/__mock__/requests", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403


def test_the_proxy_failing_itself_is_a_502_envelope_and_it_serves_on(mock_process: MockProcess) -> None:
    app = create_proxy_app(ProxyConfig(upstream=mock_process.base_url, port=0))
    context = app.extensions["cudis_proxy"]
    judge = context.judge.judge

    def broken(*args: object) -> object:
        raise RuntimeError("a bug")

    context.judge.judge = broken
    with in_thread(app) as proxy:
        answer = query(proxy, "step", last_days(3), mock_process.token, "cudis-wellness")
        assert answer.status_code == 502
        assert answer.json()["msg"] == "Upstream failed: the proxy failed: RuntimeError: a bug"
        context.judge.judge = judge
        assert query(proxy, "step", last_days(3), mock_process.token, "cudis-wellness").json()["code"] == 200
