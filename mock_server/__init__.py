"""cudis-mock: a faithful fake of the CUDIS Ring partner API (V1)."""

from typing import TYPE_CHECKING, Any

from .config import MockConfig, config_from_env

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["MockConfig", "config_from_env", "create_app"]


def __getattr__(name: str) -> Any:
    # Flask only when the app is asked for: `cudis-mock serve --workers` starts without it (front.py).
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
