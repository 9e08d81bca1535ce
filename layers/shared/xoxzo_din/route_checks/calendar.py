"""Which rule decides, minute by minute, for each class of caller, over any period (the calendar of
`xoxzo-din routes calendar`, and the shadowed-rule part of the routes check).

Computed from the change points of the routes (midnights, every `hours` edge, active-period edges,
each in its own time zone, so DST transitions fall where the zone puts them): between two change
points nothing a rule looks at changes, so one decision (the action function's own `decide`)
holds for the whole stretch. A year is a few thousand decisions, not half a million.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from xoxzo_din.routing.actions import Action, render
from xoxzo_din.routing.decide import CallRoutes, decide
from xoxzo_din.routing.rules import DEFAULT_TIMEZONE, Call, NumberRoutes, Rule, zone

# A caller matched by no `callers` list, for "anyone else" (tried in turn until one fits).
_OTHER_CALLERS = ("+81300000000", "+81399999999", "+15550000000", "+442000000000")


@dataclass(frozen=True)
class CallerClass:
    label: str
    caller: str | None  # a caller of the class, as XOXZO would send it ("" = anonymous)


@dataclass(frozen=True)
class Segment:
    start: datetime  # aware, in the number's zone
    end: datetime
    decided_by: str
    line: str

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def number_zone(routes: NumberRoutes) -> ZoneInfo:
    return routes.timezone or zone(DEFAULT_TIMEZONE)


def caller_classes(routes: NumberRoutes) -> list[CallerClass]:
    """One class per distinct `callers` condition of the rules, anonymous callers, anyone else."""
    classes: list[CallerClass] = []
    seen: set[tuple[frozenset[str] | None, tuple[str, ...]]] = set()
    for index, rule in enumerate(routes.rules):
        key = (rule.callers, rule.caller_prefixes)
        if (rule.callers is None and not rule.caller_prefixes) or key in seen:
            continue
        seen.add(key)
        members = [*sorted(rule.callers or ()), *(_padded(prefix) for prefix in rule.caller_prefixes)]
        # A member no earlier rule names: the one a call can reach this rule with, if any can.
        earlier = routes.rules[:index]
        sample = next((m for m in members if not any(_names(r, m) for r in earlier)), members[0])
        classes.append(CallerClass(f"callers of {rule.rule_id} ({sample})", sample))
    classes.append(CallerClass("anonymous", ""))
    other = next(
        (
            number
            for number in _OTHER_CALLERS
            if not any(
                (rule.callers is not None and number in rule.callers)
                or number.startswith(rule.caller_prefixes)
                for rule in routes.rules
                if rule.callers is not None or rule.caller_prefixes
            )
        ),
        _OTHER_CALLERS[0],
    )
    classes.append(CallerClass(f"anyone else ({other})", other))
    return classes


def _names(rule: Rule, caller: str) -> bool:
    """Whether the rule's callers list names `caller` (exactly or by a prefix)."""
    return (rule.callers is not None and caller in rule.callers) or caller.startswith(
        rule.caller_prefixes or ("\0",)
    )


def _padded(prefix: str) -> str:
    """A whole number that starts with an E.164 prefix (+8190 -> +819000000000)."""
    return prefix + "0" * max(0, 12 - len(prefix))


def change_points(routes: NumberRoutes, start: datetime, end: datetime) -> list[datetime]:
    """Every moment in [start, end) at which a condition of a rule may change (UTC, sorted)."""
    home = number_zone(routes)
    zones: dict[str, ZoneInfo] = {home.key: home}
    edges: dict[str, set[int]] = {home.key: {0}}
    points: set[datetime] = {start.astimezone(UTC)}
    for rule in routes.rules:
        rule_zone = rule.timezone or home
        zones[rule_zone.key] = rule_zone
        minutes = edges.setdefault(rule_zone.key, {0})
        for span in rule.hours or ():
            minutes.update({span.start, span.end % 1440})
        for moment in (rule.active_from, rule.active_until):
            if moment is not None:
                points.add((moment if moment.tzinfo else moment.replace(tzinfo=rule_zone)).astimezone(UTC))
    for key, local_zone in zones.items():
        points.update(transitions(local_zone, start, end))
        day = start.astimezone(local_zone).date() - timedelta(days=1)
        last = end.astimezone(local_zone).date() + timedelta(days=1)
        while day <= last:
            midnight = datetime.combine(day, time())
            for minute in edges[key]:
                wall = (midnight + timedelta(minutes=minute)).replace(tzinfo=local_zone)
                # A wall time in a repeated hour happens twice (fold 0 and 1), one in a skipped
                # hour never: both conversions, and the transitions themselves, are change points.
                points.add(wall.astimezone(UTC))
                points.add(wall.replace(fold=1).astimezone(UTC))
            day += timedelta(days=1)
    begin, finish = start.astimezone(UTC), end.astimezone(UTC)
    return sorted(point for point in points if begin <= point < finish)


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> set[datetime]:
    """The instants in [start, end) at which `zone`'s UTC offset changes (DST), to the minute."""
    found: set[datetime] = set()
    step = timedelta(hours=1)
    moment = start.astimezone(UTC).replace(second=0, microsecond=0)
    finish = end.astimezone(UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment < finish:
        following = moment + step
        if following.astimezone(zone).utcoffset() != offset:
            low, high = moment, following  # the offset changes in (low, high]
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            found.add(high)
            offset = following.astimezone(zone).utcoffset()
        moment = following
    return found


def segments(
    routes: NumberRoutes,
    global_routes: NumberRoutes,
    fallback: Action,
    *,
    caller: str | None,
    start: datetime,
    end: datetime,
) -> list[Segment]:
    """The stretches of [start, end) over which one decision holds, for calls from `caller`."""
    home = number_zone(routes)
    result: list[Segment] = []
    points = change_points(routes, start, end)
    both = CallRoutes(routes, global_routes)
    for moment, following in zip(points, [*points[1:], end.astimezone(UTC)], strict=True):
        decision = decide(Call.of(caller, moment), both, fallback)
        line = render(decision.action)
        if result and result[-1].decided_by == decision.source and result[-1].line == line:
            result[-1] = Segment(result[-1].start, following.astimezone(home), decision.source, line)
        else:
            result.append(Segment(moment.astimezone(home), following.astimezone(home), decision.source, line))
    return result


def days(start: date, end: date) -> Iterator[date]:
    day = start
    while day < end:
        yield day
        day += timedelta(days=1)
