"""Serving the mock: the store and server of `cudis-mock serve`, gunicorn workers, the banner.

`workers` and `keepalive_worker` import gunicorn (the `workers` extra), and `single` werkzeug's
server: neither is imported here.
"""

from __future__ import annotations

from .banner import announce, banner, curl_command
from .server import WorkersUnavailable, open_store, serve

__all__ = ["WorkersUnavailable", "announce", "banner", "curl_command", "open_store", "serve"]
