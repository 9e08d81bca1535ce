"""Route items, as typed by hand in the DynamoDB console, read into rules: one reader per attribute.

Every attribute is documented in docs/reference/route-items.md; this module is what reads them.
Parsing is strict and happens once per DynamoDB read: an item that cannot be understood is
reported as a problem and skipped, never half-applied.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from xoxzo_din.phone import JAPAN_COUNTRY_CODE, compact, to_e164, without_japanese_trunk_zero
from xoxzo_din.routing import actions
from xoxzo_din.routing.actions import Action, ActionError
from xoxzo_din.routing.rules import (
    EVERY_DAY,
    DateSpan,
    NumberRoutes,
    Rule,
    RuleError,
    TimeRange,
    has_holiday_calendar,
    zone,
)
from xoxzo_din.tables.attribute_values import MalformedItem
from xoxzo_din.tables.schema import ATTRIBUTES, DEFAULT_LANGUAGE, DEFAULT_RULE_ID, NUMBER, RULE_ID

__all__ = ["ATTRIBUTES"]  # the item's attributes, as this parser reads them (tables.schema)
# Rules without a priority come after every rule that has one.
DEFAULT_PRIORITY = 1000
ANONYMOUS_TOKENS = frozenset({"anonymous", "hidden", "private", "unknown", "非通知"})

_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = {name[:3]: index for index, name in enumerate(_WEEKDAY_NAMES)} | {
    name: index for index, name in enumerate(_WEEKDAY_NAMES)
}
_LIST_SEPARATORS = re.compile(r"[,\s、;]+")
# Phone numbers may be written with spaces ("090 1234 5678"): only these separate them.
_NUMBER_LIST_SEPARATORS = re.compile(r"[,、;\n]+")
_TIME_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
_FULL_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_YEARLY_DATE = re.compile(r"(\d{1,2})-(\d{1,2})")
_COUNTRY = re.compile(r"([A-Z]{2,3})(?:-([A-Z0-9]{1,3}))?")
_PREFIX_DIGITS = re.compile(r"\+?[0-9]{1,15}")
# Priorities are small whole numbers; the bound also keeps a typo like 1e1000000 from costing seconds.
_PRIORITY = re.compile(r"-?[0-9]{1,9}")
_MAX_PRIORITY = 10**9
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def parse_number_routes(
    items: Iterable[Mapping[str, Any]], *, global_partition: bool = False
) -> NumberRoutes:
    """Parse one partition's items; malformed ones become `problems` and are skipped.

    In the global partition only the default item counts (rules there would be ambiguous)."""
    rules: list[Rule] = []
    default: Action | None = None
    timezone: ZoneInfo | None = None
    problems: list[str] = []
    for item in items:
        rule_id = str(item.get(RULE_ID, "?"))
        try:
            if isinstance(item, MalformedItem):  # a value DynamoDB would not send (attribute_values.py)
                raise RuleError(item.problem)
            if rule_id == DEFAULT_RULE_ID:
                # The number's time zone first: its rules keep it even if the default's action
                # is malformed (then only that action is skipped).
                timezone = _optional_zone(item)
                item_action, enabled = _action(item, required=False), _enabled(item)
                default = item_action if enabled else None
            elif global_partition:
                raise RuleError("only the item with rule_id 'default' is read under number '*'")
            elif _enabled(item):
                rules.append(parse_rule(item))
        except RuleError as error:
            problems.append(f"{item.get(NUMBER, '?')}/{rule_id}: {error}")
        except Exception as error:  # a bug must cost one item, not the number's whole routing
            problems.append(f"{item.get(NUMBER, '?')}/{rule_id}: unexpected {type(error).__name__}: {error}")
    rules.sort(key=lambda rule: (rule.priority, rule.rule_id))
    return NumberRoutes(tuple(rules), default, timezone, tuple(problems))


def parse_rule(item: Mapping[str, Any]) -> Rule:
    callers, prefixes, anonymous = _callers(item.get("callers"))
    action = _action(item, required=True)
    assert action is not None  # required=True raises instead  # noqa: S101
    active_from = _moment(item.get("active_from"), "active_from", end_of_day=False)
    active_until = _moment(item.get("active_until"), "active_until", end_of_day=True)
    if (
        active_from is not None
        and active_until is not None
        and (active_from.tzinfo is None) == (active_until.tzinfo is None)
        and active_until <= active_from
    ):
        raise RuleError("active_until is not after active_from: the rule could never apply")
    return Rule(
        rule_id=str(item[RULE_ID]),
        priority=_priority(item.get("priority")),
        action=action,
        callers=callers,
        caller_prefixes=prefixes,
        anonymous_callers=anonymous,
        weekdays=_weekdays(item.get("days")),
        hours=_hours(item.get("hours")),
        dates=_dates(item.get("dates")),
        holiday_calendar=_holiday_calendar(item.get("holidays")),
        active_from=active_from,
        active_until=active_until,
        timezone=_optional_zone(item),
    )


# --- attribute readers -------------------------------------------------------------------------


def _text(value: Any, attribute: str) -> str:
    if not isinstance(value, str):
        raise RuleError(f"{attribute} must be a string, got {type(value).__name__}")
    return value.strip()


def _tokens(value: Any, attribute: str, separators: re.Pattern[str] = _LIST_SEPARATORS) -> list[str]:
    """A list attribute: a comma (or space) separated string, a string set, or a list of strings."""
    if isinstance(value, str):
        raw = [value]
    elif isinstance(value, set | frozenset | list | tuple):
        raw = [_text(part, attribute) for part in value]
    else:
        raise RuleError(f"{attribute} must be a string or a list of strings")
    tokens = [token.strip() for part in raw for token in separators.split(part) if token.strip()]
    if not tokens:
        raise RuleError(f"{attribute} is empty")
    return tokens


def _enabled(item: Mapping[str, Any]) -> bool:
    value = item.get("enabled", True)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise RuleError(f"enabled must be true or false, got {value!r}")


def _priority(value: Any) -> int:
    if value is None:
        return DEFAULT_PRIORITY
    if isinstance(value, str) and _PRIORITY.fullmatch(value.strip()):
        return int(value)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        number = Decimal(value)
        try:
            if abs(number) < _MAX_PRIORITY and number == number.to_integral_value():
                return int(number)
        except (ArithmeticError, ValueError):  # NaN, infinities, absurd exponents
            pass
    raise RuleError(f"priority must be a whole number (up to 9 digits), got {value!r}")


def _action(item: Mapping[str, Any], *, required: bool) -> Action | None:
    value = item.get("action")
    if value is None:
        if required:
            raise RuleError("action is missing (playback, transfer, say or voicemail)")
        return None
    verb = _text(value, "action")
    try:
        match verb.lower():
            case "playback":
                return actions.playback(_text(item.get("url"), "url"))
            case "transfer":
                return actions.transfer(_text(item.get("to"), "to"))
            case "say":
                return actions.say(_language(item), _text(item.get("text"), "text"))
            case "voicemail":
                if "text" in item:
                    return actions.voicemail(actions.say(_language(item), _text(item["text"], "text")))
                if "url" in item:
                    return actions.voicemail(actions.playback(_text(item["url"], "url")))
                return actions.voicemail()
            case _:
                # A whole action line is accepted too: action = `transfer +81312345678`.
                return actions.parse_action_line(verb)
    except ActionError as error:
        raise RuleError(str(error)) from None


def _language(item: Mapping[str, Any]) -> str:
    return _text(item.get("language", DEFAULT_LANGUAGE), "language")


def _callers(value: Any) -> tuple[frozenset[str] | None, tuple[str, ...], bool]:
    if value is None:
        return None, (), False
    exact: set[str] = set()
    prefixes: list[str] = []
    anonymous = False
    for token in (
        unicodedata.normalize("NFKC", raw) for raw in _tokens(value, "callers", _NUMBER_LIST_SEPARATORS)
    ):
        if token.lower() in ANONYMOUS_TOKENS:
            anonymous = True
        elif token.endswith("*"):
            prefixes.append(_caller_prefix(token[:-1]))
        else:
            number = to_e164(token)
            if number is None:
                raise RuleError(f"callers: {token!r} is not a phone number, a prefix* or 'anonymous'")
            exact.add(number)
    return (frozenset(exact) if exact else None), tuple(prefixes), anonymous


def _caller_prefix(token: str) -> str:
    """ "+8190", "8190" and Japanese national "090" all become the E.164 prefix "+8190"."""
    digits = compact(token)
    if not _PREFIX_DIGITS.fullmatch(digits):
        raise RuleError(f"callers: {token + '*'!r} is not a number prefix")
    if digits.startswith("+"):
        return "+" + without_japanese_trunk_zero(digits[1:])
    if digits.startswith("0") and not digits.startswith("00"):
        return f"+{JAPAN_COUNTRY_CODE}{digits[1:]}"
    if digits.startswith("0"):
        raise RuleError(f"callers: {token + '*'!r} is ambiguous; write it in E.164 (+...)")
    return f"+{without_japanese_trunk_zero(digits)}"


def _weekdays(value: Any) -> frozenset[int] | None:
    if value is None:
        return None
    days: set[int] = set()
    for token in (raw.lower() for raw in _tokens(value, "days")):
        if token in {"*", "daily", "all", "everyday"}:
            days.update(EVERY_DAY)
        elif "-" in token:
            first, _, last = token.partition("-")
            start, end = _weekday(first), _weekday(last)
            days.update((start + offset) % 7 for offset in range((end - start) % 7 + 1))
        else:
            days.add(_weekday(token))
    return frozenset(days)


def _weekday(token: str) -> int:
    day = _WEEKDAYS.get(token)
    if day is None:
        raise RuleError(f"days: {token!r} is not a weekday (mon, tue, wed, thu, fri, sat, sun)")
    return day


def _hours(value: Any) -> tuple[TimeRange, ...] | None:
    if value is None:
        return None
    spans: list[TimeRange] = []
    for token in _text(value, "hours").split(","):
        matched = _TIME_RANGE.fullmatch(token.strip())
        if matched is None:
            raise RuleError(f"hours: {token.strip()!r} is not a range like 09:00-17:00")
        start_hour, start_minute, end_hour, end_minute = (int(part) for part in matched.groups())
        start, end = start_hour * 60 + start_minute, end_hour * 60 + end_minute
        if start_hour > 23 or start_minute > 59 or end_minute > 59 or end > 24 * 60 or start == end:
            raise RuleError(f"hours: {token.strip()!r} is not a valid time range")
        spans.append(TimeRange(start, end))
    return tuple(spans)


def _dates(value: Any) -> tuple[DateSpan, ...] | None:
    if value is None:
        return None
    spans: list[DateSpan] = []
    for token in _tokens(value, "dates"):
        first, separator, last = token.partition("..")
        start = _date_point(first)
        end = _date_point(last) if separator else start
        if len(start) != len(end):
            raise RuleError(f"dates: {token!r} mixes a yearly date with a full date")
        if len(start) == 3 and start > end:
            raise RuleError(f"dates: {token!r} ends before it starts")
        spans.append(DateSpan(start, end))
    return tuple(spans)


def _date_point(token: str) -> tuple[int, int, int] | tuple[int, int]:
    if full := _FULL_DATE.fullmatch(token):
        year, month, day = (int(part) for part in full.groups())
        _check_date(year, month, day, token)
        return (year, month, day)
    if yearly := _YEARLY_DATE.fullmatch(token):
        month, day = (int(part) for part in yearly.groups())
        _check_date(2024, month, day, token)  # a leap year, so 02-29 is allowed
        return (month, day)
    raise RuleError(f"dates: {token!r} is not YYYY-MM-DD, MM-DD or a range FIRST..LAST")


def _check_date(year: int, month: int, day: int, token: str) -> None:
    try:
        date(year, month, day)
    except ValueError:
        raise RuleError(f"dates: {token!r} is not a real date") from None


def _holiday_calendar(value: Any) -> tuple[str, str | None] | None:
    if value is None:
        return None
    text = _text(value, "holidays").upper()
    matched = _COUNTRY.fullmatch(text)
    if matched is None:
        raise RuleError(f"holidays must be a country code such as JP (or US-CA), got {value!r}")
    country, subdivision = matched[1], matched[2]
    if not has_holiday_calendar((country, subdivision)):
        raise RuleError(f"holidays: no holiday calendar for {text!r}")
    return country, subdivision


def _optional_zone(item: Mapping[str, Any]) -> ZoneInfo | None:
    value = item.get("timezone")
    return None if value is None else zone(_text(value, "timezone"))


def _moment(value: Any, attribute: str, *, end_of_day: bool) -> datetime | None:
    """A date ("2026-12-01": from its start, or until its end), a local date and time
    ("2026-12-01T18:00", naive: the rule's time zone) or one with an offset."""
    if value is None:
        return None
    text = _text(value, attribute)
    try:
        try:
            day = date.fromisoformat(text)  # any ISO date form: 2026-12-01, 20261201
        except ValueError:
            return datetime.fromisoformat(text)
        return datetime.combine(day + timedelta(days=1) if end_of_day else day, time())
    except ValueError:
        raise RuleError(f"{attribute} must be a date (2026-12-01) or a date and time, got {text!r}") from None
