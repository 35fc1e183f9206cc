"""One test per operation and kind of check; each fails with the broken rules, what came back, and a curl."""

from __future__ import annotations

import pytest

from cudis_spec import load_spec

from .findings import Family, Severity
from .report import finding_text
from .runner import Report

_CASES = [(op.label, family) for op in load_spec().queries for family in Family]


@pytest.mark.parametrize(("operation", "family"), _CASES, ids=[f"{op.split('/')[-1]}-{f}" for op, f in _CASES])
def test_contract(contract_report: Report, contract_strict: bool, operation: str, family: str) -> None:
    found = [f for f in contract_report.findings.all() if f.operation == operation and f.family == family]
    failing = [f for f in found if f.severity is Severity.FAILURE or contract_strict]
    if failing:
        pytest.fail("\n\n".join(finding_text(contract_report, f, contract_strict) for f in failing), pytrace=False)
