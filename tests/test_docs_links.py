"""What the README and docs/ point at is there: every relative link, and every repository path they name.

A file moved or renamed without its docs fails here, with the doc and the path.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .doc_examples import ROOT

DOCS = sorted([ROOT / "README.md", ROOT / "examples" / "README.md", *(ROOT / "docs").glob("*.md")])
LINK = re.compile(r"\]\(([^)\s]+)\)")
OWN = "docs|openapi|fixtures|mock_server|contract_tests|cudis_spec|cudis_proxy|tests|examples|\\.ci"
NAMED_PATH = re.compile(rf"`((?:{OWN})/[\w./-]*)`")
"""A path in code quotes under one of the repository's own directories (bench/ holds generated output)."""


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_every_link_and_named_path_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    links = [t.split("#", 1)[0] for t in LINK.findall(text) if not re.match(r"[a-z]+:|#", t)]
    missing = [t for t in links if not (doc.parent / t).exists()]
    missing += [p for p in NAMED_PATH.findall(text) if not (ROOT / p).exists()]
    assert not missing, f"{doc.relative_to(ROOT)} points at what is not there: {missing}"
