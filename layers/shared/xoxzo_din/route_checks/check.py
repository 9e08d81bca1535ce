"""The routes check (`xoxzo-din routes check`, and the route-changes function on every edit): every
item read as the action function reads it, and what a person should fix.

Errors are items the function skips. Warnings are routes that work, but probably not as meant.
Every problem and warning says which number, which rule, which attribute, and the fix.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from xoxzo_din.phone import to_e164
from xoxzo_din.route_checks import wording
from xoxzo_din.route_checks.calendar import caller_classes, segments
from xoxzo_din.route_checks.item_problems import item_problems
from xoxzo_din.route_checks.phone_numbers import number_problem, prefix_problem
from xoxzo_din.routing.actions import Action, Playback, Transfer, Voicemail
from xoxzo_din.routing.rule_parsing import ANONYMOUS_TOKENS, ATTRIBUTES, parse_number_routes, parse_rule
from xoxzo_din.routing.rules import DEFAULT_TIMEZONE, NumberRoutes, Rule, zone
from xoxzo_din.tables.schema import DEFAULT_RULE_ID, GLOBAL_NUMBER, RULE_ID
from xoxzo_din.tables.snapshot import Routes

ERROR, WARNING = "error", "warning"
# Attributes people add for themselves: ignored by the function, and by the check.
NOTES = frozenset(
    {"note", "notes", "description", "comment", "comments", "memo", "name", "label", "title", "remark"}
)
# What people type for an attribute, and the attribute they mean.
SYNONYMS = {
    "disabled": "enabled",
    "enable": "enabled",
    "active": "enabled",
    "weekdays": "days",
    "weekday": "days",
    "day": "days",
    "dow": "days",
    "hour": "hours",
    "time": "hours",
    "times": "hours",
    "open": "hours",
    "date": "dates",
    "holiday": "holidays",
    "calendar": "holidays",
    "tz": "timezone",
    "time_zone": "timezone",
    "zone": "timezone",
    "until": "active_until",
    "end": "active_until",
    "expires": "active_until",
    "to_date": "active_until",
    "from": "active_from",
    "start": "active_from",
    "since": "active_from",
    "prio": "priority",
    "order": "priority",
    "lang": "language",
    "caller": "callers",
    "numbers": "callers",
    "target": "to",
    "transfer_to": "to",
    "destination": "to",
    "message": "text",
    "mp3": "url",
    "file": "url",
    "audio": "url",
}
# The attributes that narrow a rule: misspelt, the rule applies more widely than meant.
CONDITIONS = frozenset(
    {"enabled", "callers", "days", "hours", "dates", "holidays", "active_from", "active_until"}
)
# XOXZO's advice for MP3 URLs (docs/reference/xoxzo-din-api.md): plain http, a path of letters,
# digits, "_", "/" and "-" (and the "." of the file name).
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_/.\-]*")


@dataclass(frozen=True)
class Finding:
    severity: str
    number: str
    rule_id: str
    attribute: str
    problem: str
    fix: str


def missing_global_default(global_routes: NumberRoutes) -> Finding | None:
    """The finding that the global default is missing (None when it is there)."""
    if global_routes.default is not None:
        return None
    return Finding(
        WARNING,
        GLOBAL_NUMBER,
        DEFAULT_RULE_ID,
        "action",
        "no global default: a number without routes of its own gets the stack's fallback action",
        "add the item number=*, rule_id=default",
    )


def check_routes(
    routes: Routes,
    *,
    numbers: Iterable[str] | None = None,
    subscribed: Iterable[str] = (),
    now: datetime | None = None,
    fallback: Action,
) -> list[Finding]:
    """Every finding about `numbers` (default: every number in the table), the global default, and
    the `subscribed` numbers (active in the numbers table) that have no routes."""
    now = now or datetime.now(UTC)
    wanted = sorted(set(numbers)) if numbers is not None else routes.numbers
    findings: list[Finding] = []
    global_routes = parse_number_routes(routes.global_items, global_partition=True)
    findings += _item_findings(GLOBAL_NUMBER, routes.global_items, global_partition=True)
    if (missing := missing_global_default(global_routes)) is not None:
        findings.append(missing)
    else:
        findings += _action_findings(
            GLOBAL_NUMBER, routes.global_items, DEFAULT_RULE_ID, global_routes.default
        )
    for number in wanted:
        items = routes.items_of(number)
        if not items:
            findings.append(_without_routes(number, "no routes"))
            continue
        if to_e164(number) != number:
            findings.append(_unread_key(number, len(items)))
            continue
        findings += _item_findings(number, items)
        parsed = parse_number_routes(items)
        findings += _route_findings(
            number, items, routes=parsed, global_routes=global_routes, fallback=fallback, now=now
        )
    for number in sorted(set(subscribed) - set(routes.numbers)):
        if numbers is None or number in wanted:
            findings.append(_without_routes(number, "subscribed, but has no routes"))
    return findings


def _unread_key(number: str, count: int) -> Finding:
    e164 = to_e164(number)
    return Finding(
        ERROR,
        number,
        "",
        "number",
        f"{count} item(s) under a key the function never reads: it looks numbers up in E.164 with +",
        f"write the number as {e164}" if e164 else "write the number in E.164 with + (e.g. +81312345678)",
    )


def _without_routes(number: str, what: str) -> Finding:
    return Finding(
        WARNING,
        number,
        "",
        "",
        f"{what}: callers hear the global default",
        "add a default item (rule_id default) and rules for it",
    )


def _item_findings(
    number: str, items: Iterable[Mapping[str, Any]], *, global_partition: bool = False
) -> list[Finding]:
    findings: list[Finding] = []
    for item in items:
        rule_id = str(item.get(RULE_ID, "?"))
        problems = item_problems(item, global_partition=global_partition)
        what = "default" if rule_id == DEFAULT_RULE_ID else "rule"
        findings += [
            Finding(
                ERROR, number, rule_id, p.attribute, f"the function skips this {what}: {p.problem}", p.fix
            )
            for p in problems
        ]
        if problems and "callers" in item and rule_id != DEFAULT_RULE_ID:
            broken = " and ".join(dict.fromkeys(p.attribute for p in problems))
            findings.append(
                _callers_warning(
                    number,
                    rule_id,
                    "this broken rule has callers: they fall through to later rules (a broken block list"
                    " lets them through)",
                    f"fix its {broken} first (the error{'s' if len(problems) > 1 else ''} above)",
                )
            )
        elif not problems and "callers" in item and rule_id != DEFAULT_RULE_ID:
            findings += _caller_findings(number, rule_id, item)
        findings += [_unknown(number, rule_id, name) for name in sorted(set(item) - ATTRIBUTES - NOTES)]
    return findings


def _caller_findings(number: str, rule_id: str, item: Mapping[str, Any]) -> list[Finding]:
    """A warning for every exact caller number and every prefix of a readable rule that no phone
    number can match: that caller (a VIP, a blocked one) silently falls through to later rules."""
    findings: list[Finding] = []
    for entry in wording.entries("callers", item["callers"]):
        if entry.lower() in ANONYMOUS_TOKENS:
            continue
        if entry.endswith("*"):
            prefixes = parse_rule({RULE_ID: rule_id, "action": "voicemail", "callers": entry}).caller_prefixes
            problem = prefix_problem(entry, prefixes[0])
            fix = "e.g. a prefix such as 090-* or +8190*"
        else:
            problem = number_problem(entry, to_e164(entry))
            fix = "e.g. the whole number, 090-1234-5678, or a prefix such as 090-1234-*"
        if problem is not None:
            never = f"callers: {problem}, so this rule never matches that caller"
            never += " (it falls through to later rules)"
            findings.append(_callers_warning(number, rule_id, never, fix))
    return findings


def _callers_warning(number: str, rule_id: str, problem: str, fix: str) -> Finding:
    return Finding(WARNING, number, rule_id, "callers", problem, fix)


def _unknown(number: str, rule_id: str, name: str) -> Finding:
    """An attribute the function ignores. A misspelt condition on a rule is an error: the rule then
    applies without it (a block list that blocks everyone, an end date that never ends it)."""
    lower = name.strip().lower()
    meant = (lower if lower in ATTRIBUTES else SYNONYMS.get(lower)) or next(
        iter(difflib.get_close_matches(lower, sorted(ATTRIBUTES), n=1, cutoff=0.75)), None
    )
    if meant is None:
        return Finding(
            WARNING, number, rule_id, name, f"unknown attribute {name!r} is ignored", "remove or rename it"
        )
    if meant in CONDITIONS and rule_id != DEFAULT_RULE_ID:
        effect = (
            "the rule stays enabled" if meant == "enabled" else "this rule applies without that condition"
        )
        return Finding(
            ERROR,
            number,
            rule_id,
            name,
            f"unknown attribute {name!r} is ignored, so {effect}; did you mean {meant!r}?",
            f"rename {name} to {meant}" + (" (true/false)" if meant == "enabled" else ""),
        )
    return Finding(
        WARNING,
        number,
        rule_id,
        name,
        f"unknown attribute {name!r} is ignored; did you mean {meant!r}?",
        f"rename {name} to {meant}",
    )


def _route_findings(
    number: str,
    items: Sequence[Mapping[str, Any]],
    *,
    routes: NumberRoutes,
    global_routes: NumberRoutes,
    fallback: Action,
    now: datetime,
) -> list[Finding]:
    findings: list[Finding] = []
    if not any(item.get(RULE_ID) == DEFAULT_RULE_ID for item in items):
        findings.append(
            Finding(
                WARNING,
                number,
                DEFAULT_RULE_ID,
                "",
                "no default item: calls no rule takes get the global default",
                "add an item with rule_id default",
            )
        )
    for rule in routes.rules:
        findings += _action_findings(number, items, rule.rule_id, rule.action)
    if routes.default is not None:
        findings += _action_findings(number, items, DEFAULT_RULE_ID, routes.default)
    expired = {rule.rule_id for rule in routes.rules if _ended(rule, routes, now)}
    has_until = {rule.rule_id for rule in routes.rules if rule.active_until is not None}
    for rule_id in sorted(expired):
        findings.append(
            Finding(
                WARNING,
                number,
                rule_id,
                "active_until" if rule_id in has_until else "dates",
                "its active period or its dates are past: it will never decide again",
                "delete the rule, or move its dates",
            )
        )
    deciding: set[str] = set()
    year_end = now + timedelta(days=366)
    for caller_class in caller_classes(routes):
        for segment in segments(
            routes, global_routes, fallback, caller=caller_class.caller, start=now, end=year_end
        ):
            deciding.add(segment.decided_by)
    for rule in routes.rules:
        if rule.rule_id not in expired and f"rule:{rule.rule_id}" not in deciding:
            findings.append(
                Finding(
                    WARNING,
                    number,
                    rule.rule_id,
                    "priority",
                    "never decides a call in the coming "
                    "year, for any caller: earlier rules always answer first (or its conditions "
                    "never hold)",
                    "give it a lower priority than the rules that shadow it, or narrow those rules",
                )
            )
    return findings


def _ended(rule: Rule, routes: NumberRoutes, now: datetime) -> bool:
    """Whether the rule can never apply again: its active period, or every one-off date, is past
    (in the rule's zone, as the function reads it)."""
    rule_zone = rule.timezone or routes.timezone or zone(DEFAULT_TIMEZONE)
    if rule.active_until is not None:
        until = rule.active_until
        if until.tzinfo is None:
            until = until.replace(tzinfo=rule_zone)
        if until <= now:
            return True
    today = now.astimezone(rule_zone).date()
    return bool(rule.dates) and all(
        len(span.last) == 3 and date(*span.last) < today - timedelta(days=1) for span in rule.dates or ()
    )


def _action_findings(
    number: str, items: Sequence[Mapping[str, Any]], rule_id: str, action: Action | None
) -> list[Finding]:
    findings: list[Finding] = []
    typed = next((item.get("to") for item in items if item.get(RULE_ID) == rule_id), None)
    if isinstance(action, Transfer) and (
        problem := number_problem(typed if isinstance(typed, str) else action.number, action.number)
    ):
        findings.append(
            Finding(
                ERROR,
                number,
                rule_id,
                "to",
                f"calls it takes cannot be transferred: to: {problem}",
                wording.example("to"),
            )
        )
    greeting = action.greeting if isinstance(action, Voicemail) else action
    if isinstance(greeting, Playback):
        findings += [
            Finding(WARNING, number, rule_id, "url", problem, fix)
            for problem, fix in _mp3_url_problems(greeting.url)
        ]
    return findings


def _mp3_url_problems(url: str) -> list[tuple[str, str]]:
    parts = urlsplit(url)
    problems: list[tuple[str, str]] = []
    if parts.scheme != "http":
        problems.append((f"{url}: XOXZO recommends plain http for MP3 files", "serve the MP3 over http"))
    if not _PLAIN_PATH.fullmatch(parts.path) or parts.query:
        problems.append(
            (
                f"{url}: XOXZO recommends only letters, digits, _, / and - in the path",
                "rename the file (e.g. holiday-closed.mp3) and drop any query",
            )
        )
    if not parts.path.lower().endswith(".mp3"):
        problems.append((f"{url}: XOXZO plays MP3 files", "point at an .mp3 file"))
    return problems
