"""What is wrong with one route item, attribute by attribute, in words for the person who typed it
in the console, each with the fix as an example value.

The parser (routing/rule_parsing.py) decides whether the function reads an item; this module never
judges on its own. It finds which attribute the parser stumbles on by giving it each attribute
alone, then says why in plain words (wording.py). An attribute it cannot word keeps the parser's
message, without the programmer's type names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xoxzo_din.route_checks import wording
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.tables.schema import DEFAULT_RULE_ID, NUMBER, RULE_ID

# The attributes that say when and for whom a rule applies, and how it is read (each can be read
# alone next to a plain action); and those that make its action.
CONDITION_ATTRIBUTES = (
    *("enabled", "priority", "timezone"),
    *("callers", "days", "hours", "dates", "holidays", "active_from", "active_until"),
)
ACTION_ATTRIBUTES = ("action", "url", "to", "text", "language")
_PLAIN_ACTION = {"action": "voicemail"}
# A value each action attribute reads: the one whose replacement makes the action readable is the
# one the parser stumbled on (action last: any item reads with action voicemail).
_GOOD = {"to": "+81312340000", "url": "http://example.com/a.mp3", "language": "ja", "text": "x"}
# Python's names for values, as a parser message may carry them (got NoneType, Decimal('1.5')).
_TYPE_NAMES = re.compile(r"\b(?:NoneType|Decimal|int|float|bool|str|set|list|dict|bytes|Binary)\b")
_DECIMAL = re.compile(r"Decimal\('([^']*)'\)")


@dataclass(frozen=True)
class Problem:
    attribute: str
    problem: str
    fix: str


def item_problems(item: Mapping[str, Any], *, global_partition: bool = False) -> list[Problem]:
    """Every attribute of `item` the function cannot read, in plain words (empty: it reads it)."""
    whole = parse_number_routes([item], global_partition=global_partition).problems
    if not whole:
        return []
    rule_id = str(item.get(RULE_ID, "?"))
    if global_partition and rule_id != DEFAULT_RULE_ID:
        return [Problem(RULE_ID, *wording.global_rule())]
    keys = {NUMBER: item.get(NUMBER, "?"), RULE_ID: item.get(RULE_ID, "?")}
    problems: list[Problem] = []
    for name in CONDITION_ATTRIBUTES:
        if name in item and _unread({**keys, **_PLAIN_ACTION, name: item[name]}):
            problems.append(Problem(name, *wording.condition(name, item[name], keys)))
    period = {name: item[name] for name in ("active_from", "active_until") if name in item}
    if len(period) == 2 and not problems and _unread({**keys, **_PLAIN_ACTION, **period}):
        problems.append(
            Problem("active_until", *wording.period(period["active_from"], period["active_until"]))
        )
    action = {name: item[name] for name in ACTION_ATTRIBUTES if name in item}
    if _unread({**keys, **action}):
        required = rule_id != DEFAULT_RULE_ID
        problems += [
            Problem(culprit, *wording.action(culprit, action, required=required))
            for culprit in _action_culprits(keys, action)
        ]
    if not problems:  # only the whole item fails: the parser's own words, made plain
        message = whole[0].split(": ", 1)[1] if ": " in whole[0] else whole[0]
        problems.append(Problem(_attribute_of(message), plain(message), wording.example("")))
    return problems


def _action_culprits(keys: Mapping[str, Any], action: Mapping[str, Any]) -> list[str]:
    """The action attributes the parser stumbles on: the action itself when no good values around
    it make it readable; else each present attribute that fails among good ones, or else the
    missing one whose good value makes it readable."""
    verb = {"action": action["action"]} if "action" in action else {}
    present = {name: _GOOD[name] for name in _GOOD if name in action}
    if _unread({**keys, **verb, **_GOOD}):
        return ["action"]
    wrong = [name for name in present if _unread({**keys, **verb, **present, name: action[name]})]
    if wrong:
        return wrong
    missing = [name for name in _GOOD if name not in action]
    return [next((n for n in missing if not _unread({**keys, **verb, **present, n: _GOOD[n]})), "action")]


def _unread(item: Mapping[str, Any]) -> bool:
    return bool(parse_number_routes([item]).problems)


def _attribute_of(message: str) -> str:
    head = re.split(r"[ :]", message, maxsplit=1)[0]
    names = (*CONDITION_ATTRIBUTES, *ACTION_ATTRIBUTES)
    return head if head in names else next((n for n in names if re.search(rf"\b{n}\b", message)), "action")


def plain(message: str) -> str:
    """A parser message without Python's type names: Decimal('1.5') is 1.5, "unexpected
    KeyError" is "could not be read"."""
    text = _DECIMAL.sub(r"\1", message)
    text = re.sub(r"^unexpected \w+:?", "could not be read:", text)
    text = re.sub(r"must be a string, got NoneType", "is missing", text)
    text = re.sub(r"must be a string, got \w+", "must be text (a String)", text)
    return _TYPE_NAMES.sub("value", text)
