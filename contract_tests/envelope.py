"""Read a CUDIS envelope off a response, and the HTTP status it stands for."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cudis_spec import CodeCatalogue


def envelope_of(content: bytes) -> Mapping[str, Any] | None:
    """The `{code, msg, data}` object of a body, or None when it is not one."""
    try:
        document = json.loads(content)
    except ValueError:
        return None
    if isinstance(document, Mapping) and {"code", "msg", "data"} <= set(document):
        return document
    return None


def equivalent_status(status: int, content: bytes, catalogue: CodeCatalogue) -> int:
    """The HTTP status an envelope means: its code's status from the catalogue.

    An HTTP 200 carrying an error envelope is a rejection; codes unknown to the
    catalogue count as a generic client error (400).
    """
    if status != 200:
        return status
    document = envelope_of(content)
    if document is None or document.get("code") == catalogue.success.code:
        return status
    code = document.get("code")
    return catalogue[code].http if isinstance(code, int) and code in catalogue else 400
