"""What an edit-time alert says: the number, the rule, the problem and the fix, for every error of
the routes check, every broken rule that has callers (a broken block list lets them through) and a
deleted global default (every number without routes falls to the fallback action)."""

from __future__ import annotations

from collections.abc import Sequence

from xoxzo_din.route_checks.check import ERROR, Finding
from xoxzo_din.tables.schema import DEFAULT_RULE_ID, GLOBAL_NUMBER

MAX_FINDINGS = 20  # per message; SNS takes 256 KB, a person reads a screen


def alerting(findings: Sequence[Finding]) -> list[Finding]:
    """The findings worth a message: errors, the warning that a broken rule's callers get through,
    and any finding about the global default (its absence included)."""
    return [
        f
        for f in findings
        if f.severity == ERROR
        or (f.attribute == "callers" and "broken" in f.problem)
        or (f.number == GLOBAL_NUMBER and f.rule_id == DEFAULT_RULE_ID)
    ]


def message(number: str, findings: Sequence[Finding], who: str) -> tuple[str, str]:
    """(subject, body) of the alert for `number`."""
    subject = f"XOXZO DIN: a route edit of {number} needs fixing"[:100]
    lines = [f"An edit of the routes of {number} ({who}) left problems that callers would hear:", ""]
    for finding in findings[:MAX_FINDINGS]:
        lines += [
            f"- {finding.number} / {finding.rule_id or '(number)'} / {finding.attribute or '-'}",
            f"  problem: {finding.problem}",
            f"  fix: {finding.fix}",
        ]
    if len(findings) > MAX_FINDINGS:
        lines.append(f"... and {len(findings) - MAX_FINDINGS} more: run xoxzo-din routes check {number}")
    lines += ["", f"Check it yourself: xoxzo-din routes check {number}"]
    return subject, "\n".join(lines)
