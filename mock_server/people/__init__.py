"""The people of the mock: the clients and users of the fixture files, loaded and checked.

`yaml_reader` reads one YAML file (and locates its errors), `loader` checks a fixtures
directory and builds the `records`; `user_table` keeps the users of a large file compact.
"""

from .loader import load_fixtures
from .records import Client, Fixtures, UserAccount
from .yaml_reader import FixtureError

__all__ = ["Client", "FixtureError", "Fixtures", "UserAccount", "load_fixtures"]
