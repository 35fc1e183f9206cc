"""The WSGI entry point for other servers: `gunicorn mock_server.wsgi:app`.

Configured by `CUDIS_MOCK_<NAME>` environment variables (see config.py). A server that runs
several processes needs `CUDIS_MOCK_STATE=FILE` (or a Redis URL), the state they share; without it each process
keeps its own tokens, clock, faults and journal in memory.
"""

from __future__ import annotations

from .app import create_app
from .config import config_from_env
from .state import MemoryStore, Store
from .state.locations import open_location

_config = config_from_env()
_store: Store = open_location(_config.state) if _config.state is not None else MemoryStore()
app = create_app(_config, store=_store)
