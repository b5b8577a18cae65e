"""How ``gongkai validate`` prints findings: ``text`` (a line each), ``github`` (GitHub Actions
workflow commands, which the runner turns into annotations) and ``junit`` (JUnit XML, which GitLab,
Jenkins, Azure and most CI systems read as test results).

Pure functions: findings in, lines or an XML tree out (docs/validate.md shows the output).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from converter.validate import Finding, ValidationOutcome

FORMATS = ("text", "github", "junit")

# --- text ------------------------------------------------------------------------------------


def format_finding(path: Path, finding: Finding) -> str:
    """One line: ``file: <focus> path: message``; warnings say so before the message."""
    label = "" if finding.severity == "violation" else f"{finding.severity}: "
    return f"{path}: {describe(finding, label)}"


def describe(finding: Finding, label: str = "") -> str:
    """``<focus> path: message (value: v) [nested results]``, on one line."""
    where = f"<{finding.focus}>" + (f" {finding.path}" if finding.path else "")
    text = f"{where}: {label}{' '.join(finding.message.split())}"
    if finding.value is not None and finding.value != finding.focus:
        text += f" (value: {' '.join(finding.value.split())})"
    return text + "".join(f" [{describe(d)}]" for d in finding.details)


# --- github: workflow commands ----------------------------------------------------------------
# https://docs.github.com/actions/reference/workflow-commands-for-github-actions
# ``::error file={name},title={title}::{message}``; in the message % \r \n are escaped as
# %25 %0D %0A, in a property value also : and , (as %3A and %2C).

_GITHUB_LEVEL = {"violation": "error", "warning": "warning", "info": "notice"}


def github_data(text: str) -> str:
    """``text`` escaped for the message of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """``text`` escaped for a property value (``file=``, ``title=``) of a workflow command."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(level: str, path: Path | str, title: str, message: str) -> str:
    """``::{level} file=…,title=…::message`` (level: error, warning or notice)."""
    return f"::{level} file={github_property(str(path))},title={github_property(title)}::{github_data(message)}"


def github_finding(path: Path, finding: Finding) -> str:
    """A violation as an ``::error``, a warning as a ``::warning``, an info as a ``::notice``."""
    title = f"SHACL {finding.severity}: {finding.shape}"
    message = describe(finding)
    if finding.graph:
        message += f" (report graph <{finding.graph}>)"
    return github_command(_GITHUB_LEVEL.get(finding.severity, "error"), path, title, message)


def github_unreadable(path: Path, reason: str) -> str:
    return github_command("error", path, "gongkai validate: file not validated", reason)


# --- junit: JUnit XML --------------------------------------------------------------------------
# <testsuites> / a <testsuite> per file / a <testcase> per report graph / a <failure> per
# violation; warnings go to the test case's <system-out>. A file that cannot be read is a suite
# with one <testcase> holding an <error>.

DEFAULT_GRAPH = "(default graph)"

# characters XML 1.0 cannot hold, even escaped (data may carry them in literals)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _finding_text(finding: Finding) -> str:
    lines = [
        f"focus: {finding.focus}",
        *([f"path: {finding.path}"] if finding.path else []),
        f"shape: {finding.shape}",
        # an anonymous constraint (a blank node: its label means nothing) is not shown
        *(
            [f"constraint: {finding.constraint}"]
            if finding.constraint and not finding.constraint.startswith("_:")
            else []
        ),
        *([f"value: {finding.value}"] if finding.value is not None else []),
        f"message: {finding.message}",
        *(f"detail: {describe(d)}" for d in finding.details),
    ]
    return _xml("\n".join(lines))


def junit_suite(path: Path, outcome: ValidationOutcome) -> ET.Element:
    """The ``<testsuite>`` of one validated file: a test case per report graph."""
    by_graph: dict[str | None, list[Finding]] = {name: [] for name in outcome.graph_names}
    for finding in (*outcome.violations, *outcome.warnings):
        by_graph.setdefault(finding.graph, []).append(finding)
    suite = ET.Element(
        "testsuite",
        name=_xml(str(path)),
        tests=str(len(by_graph)),
        failures=str(len(outcome.violations)),
        errors="0",
        skipped="0",
    )
    for graph, findings in by_graph.items():
        case = ET.SubElement(suite, "testcase", classname=_xml(str(path)), name=_xml(graph or DEFAULT_GRAPH))
        warnings = []
        for finding in findings:
            if finding.severity != "violation":
                warnings.append(f"{finding.severity}: {describe(finding)}")
                continue
            failure = ET.SubElement(
                case, "failure", type=_xml(finding.shape), message=_xml(" ".join(finding.message.split()))
            )
            failure.text = _finding_text(finding)
        if warnings:
            ET.SubElement(case, "system-out").text = _xml("\n".join(warnings))
    return suite


def junit_unreadable(path: Path, reason: str) -> ET.Element:
    """The ``<testsuite>`` of a file that could not be validated: one test case in error."""
    suite = ET.Element("testsuite", name=_xml(str(path)), tests="1", failures="0", errors="1", skipped="0")
    case = ET.SubElement(suite, "testcase", classname=_xml(str(path)), name="(file)")
    ET.SubElement(case, "error", type="unreadable", message=_xml(reason)).text = _xml(reason)
    return suite


def junit_document(suites: list[ET.Element]) -> ET.ElementTree:
    """``<testsuites>`` holding ``suites``, with their totals."""
    root = ET.Element(
        "testsuites",
        name="gongkai validate",
        tests=str(sum(int(s.get("tests", "0")) for s in suites)),
        failures=str(sum(int(s.get("failures", "0")) for s in suites)),
        errors=str(sum(int(s.get("errors", "0")) for s in suites)),
    )
    root.extend(suites)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    return tree
