"""Where the OpenAPI documents live: `openapi/` of a checkout, or the copy installed in the wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE.parent / "openapi", _PACKAGE / "openapi")


def openapi_dir() -> Path:
    """The folder holding cudis-v1.yaml, mock-admin.yaml and fixtures.schema.yaml."""
    for folder in _CANDIDATES:
        if (folder / "cudis-v1.yaml").is_file():
            return folder
    raise FileNotFoundError("openapi/cudis-v1.yaml is neither beside the cudis_spec package nor installed in it")


def api_spec_path() -> Path:
    return openapi_dir() / "cudis-v1.yaml"


def admin_spec_path() -> Path:
    return openapi_dir() / "mock-admin.yaml"


def fixtures_schema_path() -> Path:
    return openapi_dir() / "fixtures.schema.yaml"
