"""Render a run's report: for a terminal, and as JUnit XML for CI."""

from __future__ import annotations

import textwrap
from pathlib import Path
from xml.etree import ElementTree as ET

from .findings import Family, Finding, Severity
from .runner import Report


def finding_text(report: Report, finding: Finding, strict: bool) -> str:
    count = report.findings.count(finding)
    seen = f" (seen {count} times)" if count > 1 else ""
    head = f"{finding.severity.value.upper()} {finding.rule} on {finding.operation}{seen}"
    if finding.severity is Severity.WARNING:
        about = f"assumption `{finding.assumption}`" if finding.assumption else "an assumption of the spec"
        head += f"\n  a deviation from {about}: {'fails with --strict' if strict else 'fails only with --strict'}"
    return "\n".join(
        [
            head,
            textwrap.indent(textwrap.fill(f"contract: {finding.says}", 110, subsequent_indent="          "), "  "),
            textwrap.indent(textwrap.fill(f"got:      {finding.got}", 110, subsequent_indent="          "), "  "),
            f"  reproduce: {finding.curl}",
        ]
    )


def render_text(report: Report, *, strict: bool = False) -> str:
    """The report as a terminal shows it: each broken rule once, failures first."""
    options = report.options
    lines = [
        f"cudis-contract: {options.base_url} against the CUDIS API (V1) contract",
        f"  {len(report.operations)} operations, {report.requests} requests in {report.seconds:.1f} s, "
        f"seed {report.seed} ({options.seed_flag} {report.seed} repeats the run)",
    ]
    if report.boundary is not None:
        lines.append(f"  {report.boundary.describe()}")
    for operation, summary in report.checked.items():
        families = ", ".join(f.value for f in Family if f in summary.families)
        lines.append(f"  {operation}: {summary.requests} requests, checked {families}")
    findings = report.failures + report.warnings
    if findings:
        variables = ["CUDIS_TOKEN=<the --token>"]
        if any("CUDIS_EXPIRED_TOKEN" in f.curl for f in findings):
            variables.append("CUDIS_EXPIRED_TOKEN=<the expired token>")
        lines.append(f"  the curl commands read {' and '.join(variables)} from the environment")
    for finding in findings:
        lines += ["", finding_text(report, finding, strict)]
    lines.append("")
    lines += [f"note: {note}" for note in report.notes]
    code = report.exit_code(strict)
    failures, warnings = len(report.failures), len(report.warnings)
    verdict = "conforms" if code == 0 else "BREAKS THE CONTRACT"
    lines.append(
        f"result: {failures} broken rule{'s' * (failures != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        f"{' (--strict)' if strict else ''}: the implementation {verdict} (exit {code})"
    )
    return "\n".join(lines) + "\n"


def write_junit(report: Report, path: Path, *, strict: bool = False) -> None:
    """One test case per operation and kind of check; a broken rule is a <failure>, a warning too with --strict."""
    suite = ET.Element(
        "testsuite",
        name="cudis-contract",
        tests=str(len(report.operations) * len(Family)),
        time=f"{report.seconds:.3f}",
    )
    failed = 0
    for operation in report.operations:
        for family in Family:
            case = ET.SubElement(suite, "testcase", classname=f"cudis-contract.{operation}", name=family)
            found = [f for f in report.findings.all() if f.operation == operation and f.family == family]
            failing = [f for f in found if f.severity is Severity.FAILURE or strict]
            if failing:
                failed += 1
                failure = ET.SubElement(
                    case, "failure", message="; ".join(f"{f.rule}: {f.got}"[:200] for f in failing), type="contract"
                )
                failure.text = "\n\n".join(finding_text(report, f, strict) for f in failing)
            warnings = [f for f in found if f not in failing]
            if warnings:
                out = ET.SubElement(case, "system-out")
                out.text = "\n\n".join(finding_text(report, f, strict) for f in warnings)
    suite.set("failures", str(failed))
    suite.set("errors", "0")
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="seed", value=str(report.seed))
    ET.SubElement(properties, "property", name="requests", value=str(report.requests))
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
