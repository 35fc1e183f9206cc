"""`cudis-mock proxy`: between an app and a real CUDIS API, judge each exchange, record it, replay it offline.

It depends on both halves of the project: the contract suite's engine judges each exchange
(`contract_tests.engine.judge`, the verdict `cudis-contract` gives) and the mock's parts keep the
journal masked and write fixtures the mock loads. `mock_server.cli` imports it only for `proxy`.
Its parts: `upstream` (forwarding), `verdict` (one exchange judged), `journal`, `recording`
(a fixtures directory from the recorded answers), `fitting` (a persona and a time zone fitted to
them), `app` (the WSGI app) and `serve`.
"""

from .app import create_proxy_app
from .config import ProxyConfig

__all__ = ["ProxyConfig", "create_proxy_app"]
