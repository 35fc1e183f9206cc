"""cudis-mock: a faithful fake of the CUDIS Ring partner API (V1)."""

from .app import create_app
from .config import MockConfig, config_from_env

__all__ = ["MockConfig", "config_from_env", "create_app"]
