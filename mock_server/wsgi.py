"""The WSGI entry point for production servers: `gunicorn mock_server.wsgi:app`.

Configured by `CUDIS_MOCK_<NAME>` environment variables (see config.py).
"""

from __future__ import annotations

from .app import create_app
from .config import config_from_env

app = create_app(config_from_env())
