"""The plain words of item_problems.py: for an attribute the function cannot read, what is wrong,
in a sentence that names what the user typed, and the fix as an example value."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from xoxzo_din.route_checks.phone_numbers import number_problem
from xoxzo_din.routing.actions import ACTION_NAMES
from xoxzo_din.routing.rule_parsing import parse_number_routes

# The fix of each attribute, as an example value (docs/reference/route-items.md has them all).
EXAMPLES = {
    "action": "e.g. action: voicemail (or playback, transfer, say)",
    "url": "e.g. url: http://example.com/closed.mp3",
    "to": "e.g. to: 03-1234-0000 (or +81312340000)",
    "text": "e.g. text: We are closed today.",
    "language": "e.g. language: ja (or en)",
    "priority": "e.g. priority: 20 (lower is tried first)",
    "enabled": "e.g. enabled: false (or true)",
    "callers": "e.g. callers: 090-1234-5678, 0120-*, anonymous",
    "days": "e.g. days: mon-fri (or sat,sun)",
    "hours": "e.g. hours: 09:00-12:00,13:00-17:00",
    "dates": "e.g. dates: 12-29..01-03 (or 2026-08-13)",
    "holidays": "e.g. holidays: JP (or US-CA)",
    "active_from": "e.g. active_from: 2026-12-10 (or 2026-12-10T18:00)",
    "active_until": "e.g. active_until: 2026-12-31 (or 2026-12-31T18:00)",
    "timezone": "e.g. timezone: Asia/Tokyo",
}
# How each attribute is split into entries (as rule_parsing splits it).
_SEPARATORS = {"callers": re.compile(r"[,、;\n]+"), "hours": re.compile(",")}
_OTHER_SEPARATORS = re.compile(r"[,\s、;]+")
_TIME_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
_BARE_HOURS = re.compile(r"(\d{1,2})\s*-\s*(\d{1,2})")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}")
_LINE_EXAMPLES = {
    "transfer": "+81312340000",
    "playback": "http://example.com/closed.mp3",
    "say": 'ja "本日は休業です"',
}
_CONSOLE_TYPES = {bool: "a Boolean", dict: "a Map", bytes: "Binary", bytearray: "Binary"}


def example(attribute: str) -> str:
    return EXAMPLES.get(attribute, "see docs/reference/route-items.md for what each attribute takes")


def global_rule() -> tuple[str, str]:
    return (
        "under number * only the item with rule_id default is read: this rule is never used",
        "move the rule to a number, e.g. number: +81312345678",
    )


def entries(name: str, value: Any) -> list[str]:
    """The entries of a list attribute as the user typed them ("090-1234-5678", "mon-fri")."""
    if isinstance(value, str):
        parts = [value]
    elif isinstance(value, set | frozenset | list | tuple):
        parts = [part for part in value if isinstance(part, str)]
    else:
        return []
    separators = _SEPARATORS.get(name, _OTHER_SEPARATORS)
    return [
        token.strip()
        for part in parts
        for token in separators.split(unicodedata.normalize("NFKC", part))
        if token.strip()
    ]


def _console_type(value: Any) -> str | None:
    """What a value that is not text is, in the DynamoDB console's words (None: it is text)."""
    if isinstance(value, str):
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return f"a Number ({_shown(value)})"
    if isinstance(value, set | frozenset):
        return "a String set" if all(isinstance(v, str) for v in value) else "a Number set"
    if isinstance(value, list | tuple):
        return "a List"
    return next((name for kind, name in _CONSOLE_TYPES.items() if isinstance(value, kind)), "not text")


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value.normalize())
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def condition(name: str, value: Any, keys: Mapping[str, Any]) -> tuple[str, str]:
    fix = example(name)
    kind = _console_type(value)
    scalar = isinstance(value, str | int | float | Decimal)
    if name == "priority":
        return (f"priority {_shown(value)}" if scalar else f"priority is {kind}, so it") + (
            " is not a whole number"
        ), fix
    if name == "enabled":
        return (f"enabled {_shown(value)}" if scalar else f"enabled is {kind}, so it") + (
            " is neither true nor false"
        ), fix
    lists = ("callers", "days", "dates")
    if kind is not None and not (name in lists and isinstance(value, set | frozenset | list | tuple)):
        return f"{name} is {kind}, which the function does not read: it reads text (a String)", fix
    if name == "timezone":
        return f"timezone {value} is not the name of a time zone", fix
    if name == "holidays":
        return f"holidays {value}: there is no holiday calendar for that country code", fix
    if name in ("active_from", "active_until"):
        return f"{name} {value} is not a date, or a date and a time", fix
    found = entries(name, value)
    if not found:
        return f"{name} is empty", fix
    wrong = next((token for token in found if _unread(keys, name, token)), found[0])
    explain = {"callers": _caller, "days": _day, "hours": _hours, "dates": _dates}[name]
    return f"{name}: {explain(wrong)}", fix


def _unread(keys: Mapping[str, Any], name: str, token: str) -> bool:
    return bool(parse_number_routes([{**keys, "action": "voicemail", name: token}]).problems)


def _caller(token: str) -> str:
    if token.endswith("*"):
        if token.removeprefix("+").startswith("00"):
            return f"{token} starts with 00: write a foreign prefix with its country code, e.g. +1212*"
        return f"{token} is not a number prefix: digits, then * (e.g. 090-*)"
    if any(character.isdigit() for character in token):
        return number_problem(token) or f"{token} is not a phone number"
    return f"{token} is not a phone number, a prefix ending in *, or anonymous"


def _day(token: str) -> str:
    names = "mon, tue, wed, thu, fri, sat, sun"
    wrong = next(
        (part for part in token.split("-") if part and not _is_day(part)),
        token,
    )
    where = f" (in {token})" if wrong != token else ""
    return f"{wrong} is not a day of the week{where}: write {names}"


def _is_day(part: str) -> bool:
    return bool(re.fullmatch(r"(mon|tue|wed|thu|fri|sat|sun)(day|sday|nesday|rsday|urday)?", part.lower()))


def _hours(token: str) -> str:
    matched = _TIME_RANGE.fullmatch(token)
    if matched is None:
        bare = _BARE_HOURS.fullmatch(token)
        if bare is not None:
            first, last = (int(part) for part in bare.groups())
            return f"{token} has no minutes: write {first:02d}:00-{last:02d}:00"
        return f"{token} is not a range of times like 09:00-17:00"
    start_hour, start_minute, end_hour, end_minute = (int(part) for part in matched.groups())
    start, end = f"{start_hour:02d}:{start_minute:02d}", f"{end_hour:02d}:{end_minute:02d}"
    if start_hour > 23:
        return f"{token}: the start {start} is not a time of day (hours run from 00 to 23)"
    if start_minute > 59:
        return f"{token}: the start {start} has {start_minute} minutes (at most 59)"
    if end_minute > 59:
        return f"{token}: the end {end} has {end_minute} minutes (at most 59)"
    if end_hour * 60 + end_minute > 24 * 60:
        return f"{token}: the end {end} is past midnight (the latest end is 24:00)"
    return f"{token} starts and ends at {start}: it covers no time"


def _dates(token: str) -> str:
    first, separator, last = token.partition("..")
    for part in (first, last) if separator else (first,):
        if not _DATE.fullmatch(part):
            return f"{part} is not a date like 2026-08-13, or 08-13 for every year"
        if not _real_date(part):
            return f"{part} is not a day of the calendar"
    if separator and first.count("-") != last.count("-"):
        return f"{token} mixes a date of every year with a date of one year: write both alike"
    return f"{token} ends before it starts"


def _real_date(part: str) -> bool:
    numbers = [int(piece) for piece in part.split("-")]
    year, month, day = numbers if len(numbers) == 3 else [2024, *numbers]  # 2024: 02-29 exists
    try:
        from datetime import date  # noqa: PLC0415

        date(year, month, day)
    except ValueError:
        return False
    return True


def period(active_from: Any, active_until: Any) -> tuple[str, str]:
    return (
        f"active_until {active_until} is not after active_from {active_from}: the rule could never apply",
        f"e.g. active_until: a date after {active_from}, or delete one of the two",
    )


def action(culprit: str, attributes: Mapping[str, Any], *, required: bool) -> tuple[str, str]:
    """(problem, fix) for the action of an item the function cannot read, `culprit` being the
    attribute it stumbles on (item_problems.py finds it)."""
    verb = attributes.get("action")
    if culprit != "action":
        name = verb.strip().lower() if isinstance(verb, str) else "this action"
        return _value_problem(name, culprit, attributes.get(culprit)), example(culprit)
    if verb is None:
        problem = "this rule has no action: nothing says what callers hear"
        return problem if required else "the default has no action", example("action")
    if not isinstance(verb, str):
        return f"action is {_console_type(verb)}, which the function does not read: it reads text", example(
            "action"
        )
    name, _, rest = verb.strip().partition(" ")
    if name.lower() not in ACTION_NAMES:
        meant = difflib.get_close_matches(name.lower(), ACTION_NAMES, n=1, cutoff=0.5)
        hint = f"; did you mean {meant[0]}?" if meant else ""
        fix = f"e.g. action: {meant[0]}" if meant else example("action")
        return f"action {verb} is not playback, transfer, say or voicemail{hint}", fix
    line = f"{name.lower()} {_LINE_EXAMPLES[name.lower()]}" if name.lower() in _LINE_EXAMPLES else "voicemail"
    return f"action {verb}: {_line_problem(name.lower(), rest.strip())}", f"e.g. action: {line}"


def _value_problem(verb: str, attribute: str, value: Any) -> str:
    needs = {
        "to": "the number to transfer to",
        "url": "the address of the MP3 to play",
        "text": "the words to read out",
        "language": "the language to read in",
    }[attribute]
    if value is None:
        return f"{verb} needs {attribute}, {needs}: this item has none"
    kind = _console_type(value)
    if kind is not None:
        return f"{attribute} is {kind}, which the function does not read: it reads text (a String)"
    if attribute == "to":
        return f"to: {number_problem(value) or f'{value} is not a phone number'}"
    if attribute == "url":
        return f"url: {value} is not a web address: http:// or https://, plain ASCII, no spaces"
    if attribute == "language":
        return f"language {value} is not a language code"
    return "text is empty: nothing would be read out"


def _line_problem(verb: str, rest: str) -> str:
    if not rest:
        return f"{verb} needs more: the whole line is e.g. {verb} {_LINE_EXAMPLES.get(verb, '')}".rstrip()
    if verb == "transfer":
        return number_problem(rest) or f"{rest} is not one phone number"
    if verb == "playback":
        return f"{rest} is not a web address: http:// or https://, plain ASCII, no spaces"
    if verb == "say":
        return 'say needs a language and text in double quotes, e.g. say ja "本日は休業です"'
    return "a voicemail greeting is a say or a playback, e.g. voicemail playback http://example.com/a.mp3"
