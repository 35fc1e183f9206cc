"""Soak and fault tests: long, loopback only, bounded; run by `make soak` (CUDIS_SOAK=1), never by `make test`."""

from __future__ import annotations

import os

collect_ignore_glob = [] if os.environ.get("CUDIS_SOAK") == "1" else ["test_*.py"]
