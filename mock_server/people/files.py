"""Where the built-in fixtures live: `fixtures/` of a checkout, or the copy installed with the package."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
_CANDIDATES = (_PACKAGE.parent / "fixtures", _PACKAGE / "_data" / "fixtures")


def builtin_fixtures_dir() -> Path:
    for folder in _CANDIDATES:
        if folder.is_dir():
            return folder
    raise FileNotFoundError("fixtures/ is neither beside the mock_server package nor installed in it")
