"""Routing rules as the action function applies them: a call, the rules of its number, the decision.

A rule matches when all the conditions it has hold; rules are tried by `priority` (lowest first,
then `rule_id`), the first match wins, then the number's default item, the global default item,
the fallback action (docs/explanation/call-routing.md). What a console item may say, and how it
becomes a `Rule`, is `rule_parsing.py` (docs/reference/route-items.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from xoxzo_din.phone import is_hidden, to_e164
from xoxzo_din.routing.actions import Action
from xoxzo_din.routing.holiday_dates import TABLES

if TYPE_CHECKING:
    from holidays import HolidayBase

DEFAULT_TIMEZONE = "Asia/Tokyo"
EVERY_DAY = frozenset(range(7))


class RuleError(ValueError):
    """A route item that cannot be understood; the message says which attribute and why."""


@dataclass(frozen=True, slots=True)
class Call:
    """One incoming call as the rules see it."""

    caller: str | None  # E.164; None when hidden or unreadable
    at: datetime  # timezone-aware
    anonymous: bool = True  # with caller None: hidden (True) or an unreadable number (False)

    @classmethod
    def of(cls, caller: str | None, at: datetime) -> Call:
        """The call of XOXZO's raw `caller` parameter at `at` (docs/reference/route-items.md)."""
        return cls(caller=to_e164(caller), at=at, anonymous=is_hidden(caller))


@dataclass(frozen=True, slots=True)
class TimeRange:
    start: int  # minutes since midnight
    end: int  # minutes since midnight, 1..1440; end <= start spans midnight

    @property
    def overnight(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A one-off date or range (with year), or a yearly date or range (month-day, may wrap)."""

    first: tuple[int, int, int] | tuple[int, int]
    last: tuple[int, int, int] | tuple[int, int]

    def contains(self, day: date) -> bool:
        if len(self.first) == 3:
            return self.first <= (day.year, day.month, day.day) <= self.last
        month_day = (day.month, day.day)
        if self.first <= self.last:
            return self.first <= month_day <= self.last
        return month_day >= self.first or month_day <= self.last  # wraps the new year


@dataclass(frozen=True, slots=True)
class Rule:
    rule_id: str
    priority: int
    action: Action
    callers: frozenset[str] | None = None  # exact E.164 numbers
    caller_prefixes: tuple[str, ...] = ()
    anonymous_callers: bool = False
    weekdays: frozenset[int] | None = None
    hours: tuple[TimeRange, ...] | None = None
    dates: tuple[DateSpan, ...] | None = None
    holiday_calendar: tuple[str, str | None] | None = None  # (country, subdivision)
    # Naive: local time in the rule's time zone; aware: an absolute moment.
    active_from: datetime | None = None
    active_until: datetime | None = None
    timezone: ZoneInfo | None = None

    @property
    def has_caller_condition(self) -> bool:
        return self.callers is not None or bool(self.caller_prefixes) or self.anonymous_callers

    def matches(self, call: Call, number_timezone: ZoneInfo) -> bool:
        return self.unmet_condition(call, number_timezone) is None

    def unmet_condition(self, call: Call, number_timezone: ZoneInfo) -> str | None:
        """The first condition of the rule that does not hold for `call`, named by its attribute
        (callers, active_from, active_until, days, hours, dates, holidays); None when every one
        holds. The one matching decision: the call path and the operators' tools both use it."""
        local = call.at.astimezone(self.timezone or number_timezone)
        if not self._caller_matches(call):
            return "callers"
        if self.active_from is not None and _before(local, self.active_from):
            return "active_from"
        if self.active_until is not None and not _before(local, self.active_until):
            return "active_until"
        # Dates and holidays are those of the day a time range started on (22:00-06:00 on
        # 31 December still belongs to 31 December at 02:00 on 1 January).
        days = self.service_days(local)
        if not days:
            return "hours" if self.hours is not None and not self._in_hours(local) else "days"
        if self.dates is not None and not any(span.contains(day) for span in self.dates for day in days):
            return "dates"
        if not any(self._day_matches(day) for day in days):
            return "holidays"
        return None

    def _in_hours(self, local: datetime) -> bool:
        """Whether the time of day of `local` is in one of the rule's ranges, whatever the day."""
        minute = local.hour * 60 + local.minute
        return any(
            (minute >= span.start or minute < span.end) if span.overnight else span.start <= minute < span.end
            for span in self.hours or ()
        )

    def _day_matches(self, day: date) -> bool:
        return (self.dates is None or any(span.contains(day) for span in self.dates)) and (
            self.holiday_calendar is None or is_holiday(self.holiday_calendar, day)
        )

    def _caller_matches(self, call: Call) -> bool:
        if not self.has_caller_condition:
            return True
        caller = call.caller
        if caller is None:
            return self.anonymous_callers and call.anonymous
        return (self.callers is not None and caller in self.callers) or caller.startswith(
            self.caller_prefixes
        )

    def service_days(self, local: datetime) -> list[date]:
        """The days whose weekday and time ranges cover `local`: today, and/or yesterday for
        the part of an overnight range after midnight."""
        weekdays = self.weekdays if self.weekdays is not None else EVERY_DAY
        today = local.date()
        yesterday = today - timedelta(days=1)
        if self.hours is None:
            return [today] if today.weekday() in weekdays else []
        minute = local.hour * 60 + local.minute
        days: list[date] = []
        for span in self.hours:
            if span.overnight:
                if minute >= span.start and today.weekday() in weekdays:
                    days.append(today)
                elif minute < span.end and yesterday.weekday() in weekdays:
                    days.append(yesterday)
            elif span.start <= minute < span.end and today.weekday() in weekdays:
                days.append(today)
        return days


def _before(local: datetime, moment: datetime) -> bool:
    """Whether `local` (aware, in the rule's zone) comes before `moment`; a naive moment is a
    wall-clock time in that zone. Compared as instants: an aware comparison in one zone would
    ignore `fold` and count the repeated hour of a clock change twice."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local.tzinfo)
    return local.timestamp() < moment.timestamp()


@dataclass(frozen=True, slots=True)
class NumberRoutes:
    """Everything one number (or the global `*` partition) says, parsed and ordered."""

    rules: tuple[Rule, ...] = ()
    default: Action | None = None
    timezone: ZoneInfo | None = None  # from the default item; None: not set
    problems: tuple[str, ...] = field(default=())  # one line per skipped item


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    source: str  # "rule:<rule_id>", "number-default", "global-default" or "fallback"


def choose_action(
    call: Call, number: NumberRoutes, global_routes: NumberRoutes, fallback: Action
) -> Decision:
    """The first matching rule, else the number's default, the global default, the fallback."""
    number_timezone = number.timezone or zone(DEFAULT_TIMEZONE)
    for rule in number.rules:
        if rule.matches(call, number_timezone):
            return Decision(rule.action, f"rule:{rule.rule_id}")
    if number.default is not None:
        return Decision(number.default, "number-default")
    if global_routes.default is not None:
        return Decision(global_routes.default, "global-default")
    return Decision(fallback, "fallback")


@cache
def holiday_calendar_for(country: str, subdivision: str | None) -> HolidayBase:
    """The library's calendar (raises NotImplementedError for one it does not know). Imported
    here, and only for what the precomputed tables do not cover (holiday_dates.py)."""
    import holidays  # noqa: PLC0415

    calendar: HolidayBase = holidays.country_holidays(country, subdiv=subdivision)
    return calendar


def is_holiday(calendar: tuple[str, str | None], day: date) -> bool:
    """Whether `day` is a public holiday: from the precomputed tables, else from the library."""
    known = TABLES.is_holiday(calendar, day)
    return day in holiday_calendar_for(*calendar) if known is None else known


def has_holiday_calendar(calendar: tuple[str, str | None]) -> bool:
    """Whether the library has this calendar (asked of it only when no table has it)."""
    if TABLES.covers(calendar):
        return True
    try:
        holiday_calendar_for(*calendar)
    except NotImplementedError:
        return False
    return True


def holiday_name(calendar: tuple[str, str | None], day: date) -> str | None:
    """The name of the public holiday on `day` (e.g. "勤労感謝の日"), or None."""
    name: str | None = holiday_calendar_for(*calendar).get(day)
    return name


@cache
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleError(f"timezone: {name!r} is not an IANA time zone such as Asia/Tokyo") from None
