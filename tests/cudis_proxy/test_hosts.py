"""The proxy answers only its own names, as the mock does: a page whose name rebinds to 127.0.0.1 reads nothing."""

from __future__ import annotations

import requests

from ..servers import MockProcess
from .conftest import journal, last_days, proxy_to, query


def test_a_foreign_host_gets_421_from_the_journal_and_the_query_endpoints(mock_process: MockProcess) -> None:
    with proxy_to(mock_process.base_url) as proxy:
        assert query(proxy, "step", last_days(3), mock_process.token, "cudis-wellness").json()["code"] == 200
        foreign = {"Host": "evil.example"}
        listed = requests.get(f"{proxy}/__mock__/requests", headers=foreign, timeout=10)
        cleared = requests.delete(f"{proxy}/__mock__/requests", headers=foreign, timeout=10)
        asked = query(proxy, "sleep", last_days(3), mock_process.token, "cudis-wellness")
        forwarded = requests.get(
            f"{proxy}/partner/v1/query/step",
            json=last_days(3),
            headers={"Host": "evil.example", "Authorization": f"Bearer {mock_process.token}", "Cudis-Client-Id": "x"},
            timeout=10,
        )
        for refused in (listed, cleared, forwarded):
            assert refused.status_code == 421, refused.text
            assert "--allowed-hosts" in refused.json()["msg"]
        assert asked.status_code == 200
        assert len(journal(proxy)) == 2  # the two queries of loopback names; nothing of evil.example's


def test_allowed_hosts_lets_a_reverse_proxys_name_in(mock_process: MockProcess) -> None:
    with proxy_to(mock_process.base_url, allowed_hosts="proxy.internal") as proxy:
        answer = requests.get(f"{proxy}/__mock__/requests", headers={"Host": "proxy.internal:8090"}, timeout=10)
        assert answer.status_code == 200 and answer.json() == {"requests": []}
