"""What an edit-time alert says and which findings make one: no I/O."""

from __future__ import annotations

from xoxzo_din.route_changes.alerts import MAX_FINDINGS, alerting, message
from xoxzo_din.route_checks.check import ERROR, WARNING, Finding


def finding(
    severity: str,
    number: str = "+81312345678",
    rule_id: str = "lunch",
    attribute: str = "to",
    problem: str = "p",
) -> Finding:
    return Finding(severity, number, rule_id, attribute, problem, "the fix")


def test_errors_broken_callers_and_the_global_default_alert_other_warnings_do_not():
    error = finding(ERROR)
    broken_callers = finding(
        WARNING, attribute="callers", problem="the rule is broken: its callers get through"
    )
    global_default = finding(WARNING, number="*", rule_id="default", attribute="", problem="missing")
    other = finding(WARNING, attribute="hours", problem="never matches")
    assert alerting([error, broken_callers, global_default, other]) == [error, broken_callers, global_default]


def test_the_message_names_number_rule_attribute_problem_and_fix():
    subject, body = message(
        "+81312345678", [finding(ERROR, problem="the number cannot exist")], "console edit"
    )
    assert subject == "XOXZO DIN: a route edit of +81312345678 needs fixing"
    assert "- +81312345678 / lunch / to" in body and "problem: the number cannot exist" in body
    assert "fix: the fix" in body and body.endswith("xoxzo-din routes check +81312345678")


def test_a_long_list_is_cut_and_says_how_many_more():
    _, body = message("+81312345678", [finding(ERROR)] * (MAX_FINDINGS + 3), "import")
    assert body.count("problem: ") == MAX_FINDINGS
    assert "... and 3 more: run xoxzo-din routes check +81312345678" in body
