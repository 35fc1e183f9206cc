"""Where the spec and the built-in fixtures live: the repo checkout or the installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE.parent, _PACKAGE / "_data")


def _find(name: str) -> Path:
    for root in _CANDIDATES:
        if (root / name).exists():
            return root / name
    raise FileNotFoundError(f"cannot find {name!r} beside the mock_server package")


def openapi_dir() -> Path:
    return _find("openapi")


def spec_path() -> Path:
    return openapi_dir() / "cudis-v1.yaml"


def admin_spec_path() -> Path:
    return openapi_dir() / "mock-admin.yaml"


def fixtures_schema_path() -> Path:
    return openapi_dir() / "fixtures.schema.yaml"


def builtin_fixtures_dir() -> Path:
    return _find("fixtures")
