"""Request paths as a newcomer types them: duplicate slashes merged, a near miss answered with the real path."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_SLASHES = re.compile(r"/{2,}")


class MergeSlashes:
    """WSGI middleware: `//partner//v1/...` is served as `/partner/v1/...`, under any server.

    Werkzeug's own server already drops a leading `//` and Flask redirects an inner one with an HTML
    308 (which loses a GET's body); merging here gives every server and every position one answer.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            environ["PATH_INFO"] = _SLASHES.sub("/", path)
        return self.app(environ, start_response)


def _key(path: str) -> str:
    return path.lower().rstrip("/").replace("-", "_") or "/"


def suggest(path: str, known: Iterable[str]) -> str | None:
    """The known path `path` most likely meant (case, a trailing slash, `-` for `_`, a typo), if one is close."""
    paths = {_key(p): p for p in known}
    key = _key(path)
    if key in paths:
        return paths[key] if paths[key] != path else None
    close = difflib.get_close_matches(key, list(paths), n=1, cutoff=0.8)
    return paths[close[0]] if close else None


def literal_paths(templates: Iterable[str]) -> Iterator[str]:
    """The paths among OpenAPI `templates` that have no `{parameter}`: the ones a suggestion can name."""
    return (t for t in templates if "{" not in t)
