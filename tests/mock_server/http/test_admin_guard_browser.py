"""A page on another origin, in Debian's real Chromium, tries every request a browser sends without a
CORS preflight against the control API; the mock's faults, clock, tokens and journal stay as they were.

`make test` installs chromium and chromedriver (`make browser-deps`); `-m 'not browser'` leaves this out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from mock_server import MockConfig, create_app
from mock_server.context import mock_context
from mock_server.oauth.tokens import TokenRecord
from mock_server.state import MemoryStore

from ...conftest import BROWSER_WAIT
from ...servers import in_thread

pytestmark = pytest.mark.browser

ATTACKS = """
const mock = MOCK;
const forms = [
  // enctype text/plain turns name=value into a body that parses as JSON: {"kind":"status",...,"x":"="}
  ["/__mock__/faults", "text/plain", '{"kind":"status","status":503,"x":"', '"}'],
  ["/__mock__/clock/advance", "text/plain", '{"seconds":86400,"x":"', '"}'],
  ["/__mock__/tokens", "text/plain", '{"user_id":"typical","x":"', '"}'],
  ["/__mock__/reset", "application/x-www-form-urlencoded", "a", "b"],
];
const loaded = forms.map(([path, enctype, name, value], i) => new Promise((done) => {
  const frame = document.createElement("iframe");
  frame.name = "f" + i;
  document.body.appendChild(frame);
  frame.onload = done;
  const form = document.createElement("form");
  Object.assign(form, {method: "POST", action: mock + path, enctype: enctype, target: frame.name});
  const field = document.createElement("input");
  Object.assign(field, {type: "hidden", name: name, value: value});
  form.appendChild(field);
  document.body.appendChild(form);
  form.submit();
}));
const fault = '{"kind":"status","status":503}';
const clock = '{"seconds":86400}';
const fetched = [
  ["/__mock__/faults", new Blob([fault])],
  ["/__mock__/faults", new Blob([fault], {type: "text/plain"})],
  ["/__mock__/clock/advance", clock],
  ["/__mock__/clock/advance", new TextEncoder().encode(clock)],
  ["/__mock__/tokens", new Uint8Array([123, 125])],
  ["/__mock__/reset", ""],
].map(([path, body]) => fetch(mock + path, {method: "POST", mode: "no-cors", body: body}).catch(() => null));
const beacons = [
  navigator.sendBeacon(mock + "/__mock__/faults", new Blob([fault], {type: "text/plain"})),
  navigator.sendBeacon(mock + "/__mock__/clock/advance", clock),
  navigator.sendBeacon(mock + "/__mock__/tokens", new Uint8Array([123, 125])),
];
Promise.all([...loaded, ...fetched]).then(() => { document.title = "sent " + beacons.join(","); });
"""


class CountingStore(MemoryStore):
    """The memory store, counting the tokens it is given (the store lists none)."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens_added = 0

    def add_token(self, record: TokenRecord) -> None:
        self.tokens_added += 1
        super().add_token(record)


class Recorder:
    """WSGI middleware: what reached the control API from the browser, and what it answered."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.seen: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., object]) -> Iterable[bytes]:
        def recording(status: str, headers: list[tuple[str, str]], *args: object) -> object:
            if environ["PATH_INFO"].startswith("/__mock__/"):
                with self._lock:
                    self.seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], int(status.split()[0])))
            return start_response(status, headers, *args)

        return self.app(environ, recording)


def _hostile_page(mock_url: str) -> Callable[..., Iterable[bytes]]:
    page = f"<!doctype html><title>loading</title><body><script>{ATTACKS.replace('MOCK', repr(mock_url))}</script>"

    def app(environ: dict[str, Any], start_response: Callable[..., object]) -> Iterable[bytes]:
        body = page.encode()
        start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def _wait(done: Callable[[], bool]) -> bool:
    try:
        WebDriverWait(None, BROWSER_WAIT, poll_frequency=0.05).until(lambda _d: done())
    except TimeoutException:
        return False
    return True


@pytest.fixture
def guarded() -> Iterator[tuple[str, Any, CountingStore, Recorder]]:
    store = CountingStore()
    app = create_app(MockConfig(), store=store)
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder  # type: ignore[method-assign]
    with in_thread(app) as base_url:
        yield base_url, app, store, recorder


@pytest.mark.parametrize("page_host", ["localhost", "127.0.0.1"], ids=["cross-site", "same-site-other-port"])
def test_a_foreign_page_cannot_change_the_mock_in_chromium(
    browser: WebDriver, guarded: tuple[str, Any, CountingStore, Recorder], page_host: str
) -> None:
    base_url, app, store, recorder = guarded
    mock = mock_context(app)
    # A state a reset would undo, so a reset that got through shows too.
    control = app.test_client()
    assert (
        control.post("/__mock__/faults", json={"kind": "latency", "ms": 1, "endpoint": "/nowhere"}).status_code == 201
    )
    assert control.put("/__mock__/clock", json={"now": 1795089600}).status_code == 200
    control.get("/partner/v1/query/step")
    tokens = store.tokens_added
    before = (mock.store.snapshot(), tokens, mock.store.journal())
    assert before[0].faults and before[2]
    recorder.seen.clear()
    with in_thread(_hostile_page(base_url)) as page_url:
        browser.get(page_url.replace("127.0.0.1", page_host) + "/")
        # Beacons go out on their own schedule: wait until every attack has reached the mock.
        arrived = _wait(lambda: len(recorder.seen) >= 13)
        assert arrived, (browser.title, recorder.seen)
    assert (mock.store.snapshot(), store.tokens_added, mock.store.journal()) == before
    refused = {status for _method, _path, status in recorder.seen}
    assert refused <= {403, 415}, recorder.seen
    assert {path for _m, path, _s in recorder.seen} == {
        "/__mock__/faults",
        "/__mock__/clock/advance",
        "/__mock__/tokens",
        "/__mock__/reset",
    }
