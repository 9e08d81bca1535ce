"""`xoxzo-din routes explain NUMBER`: what a caller hears, and why: the action function's own
parsing and decision, with the reason each earlier rule did not match (`Rule.unmet_condition`, the
code the call path runs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

import typer

from xoxzo_din.route_checks import calendar
from xoxzo_din.route_checks.item_problems import item_problems
from xoxzo_din.routing.actions import Action, render
from xoxzo_din.routing.decide import CallRoutes, decide
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.routing.rules import (
    DEFAULT_TIMEZONE,
    Call,
    Rule,
    holiday_name,
    zone,
)
from xoxzo_din.tables.schema import NUMBER, RULE_ID
from xoxzo_din_cli import helptext
from xoxzo_din_cli.common import console, print_json
from xoxzo_din_cli.routes.group import (
    LOOK_PANEL,
    JsonOption,
    NumberArgument,
    app,
    attributes,
    parse_moment,
    parse_number,
    stack_fallback,
    stack_routes,
)


@dataclass(frozen=True)
class RuleCheck:
    rule_id: str
    priority: int
    matched: bool
    reason: str  # why it did not match; empty when it matched


@dataclass(frozen=True)
class Explanation:
    number: str
    caller: str | None  # as given
    at: datetime  # in the number's time zone
    timezone: str
    line: str  # the action line the function answers
    decided_by: str  # "rule:<rule_id>", "number-default", "global-default" or "fallback"
    item: dict[str, Any] | None  # the item that decided (None: the fallback action)
    checks: list[RuleCheck] = field(default_factory=list)  # the rules tried, in order
    holidays: list[str] = field(default_factory=list)  # holidays that day, named by the rules' calendars
    skipped: list[str] = field(default_factory=list)  # malformed items, as the function logs them


@helptext.command(
    app,
    "explain",
    panel=LOOK_PANEL,
    examples_of=(
        ("xoxzo-din routes explain 03-1234-5678 --caller 090-1234-5678", "that caller, now"),
        (
            "xoxzo-din routes explain 03-1234-5678 --caller anonymous --at 2026-12-02T12:15",
            "a hidden caller, then",
        ),
        ("xoxzo-din routes explain +81312345678 --at '2026-11-23 10:00+09:00' --json", "for a script"),
    ),
)
def explain_command(
    context: typer.Context,
    number: NumberArgument,
    caller: Annotated[
        str,
        typer.Option(
            "--caller", metavar="CALLER", help="Who calls: a number, or anonymous (or '') for a hidden one."
        ),
    ] = "",
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIME",
            help="When: the number's local time, or a time with an offset; default now.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Say what a call gets, which item decided it, and why each earlier rule did not.

    The answer is the action line the function would give, decided by the function's own code."""
    called = parse_number(number, global_allowed=False)
    routes = stack_routes(context)
    items = routes.items_of(called)
    number_zone = calendar.number_zone(parse_number_routes(items))
    result = explain(
        called,
        None if caller.lower() == "anonymous" else caller,
        parse_moment(at, number_zone),
        items=items,
        global_items=routes.global_items,
        fallback=stack_fallback(context),
    )
    if as_json:
        print_json(result)
        return
    console.print(f"[bold]{result.line}[/bold]", highlight=False, soft_wrap=True)
    console.print(
        f"decided by {result.decided_by}" + (f" ({attributes(result.item)})" if result.item else ""),
        highlight=False,
    )
    console.print(
        f"at {result.at:%a %Y-%m-%d %H:%M} {result.timezone}"
        + (f" ({', '.join(result.holidays)})" if result.holidays else "")
    )
    for rule_check in result.checks:
        verdict = "[green]matched[/green]" if rule_check.matched else rule_check.reason
        console.print(f"  {rule_check.rule_id} (priority {rule_check.priority}): {verdict}", highlight=False)
    for problem in result.skipped:
        console.print(f"  [red]skipped[/red] {problem}", highlight=False)


def skipped_items(items: Sequence[Mapping[str, Any]], global_items: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each item the function skips, with what is wrong and the fix, in routes check's words."""
    skipped = []
    for partition, is_global in ((items, False), (global_items, True)):
        for item in partition:
            for problem in item_problems(item, global_partition=is_global):
                where = f"{item.get(NUMBER, '?')}/{item.get(RULE_ID, '?')}: {problem.attribute}"
                skipped.append(f"{where}: {problem.problem} (fix: {problem.fix})")
    return skipped


def explain(
    number: str,
    caller: str | None,
    at: datetime,
    *,
    items: Sequence[Mapping[str, Any]],
    global_items: Sequence[Mapping[str, Any]],
    fallback: Action,
) -> Explanation:
    both = CallRoutes.of_items(items, global_items)
    routes = both.number
    call = Call.of(caller, at)
    decision = decide(call, both, fallback)
    number_zone = routes.timezone or zone(DEFAULT_TIMEZONE)
    by_id = {str(item.get(RULE_ID)): dict(item) for item in items}
    checks: list[RuleCheck] = []
    for rule in routes.rules:
        unmet = rule.unmet_condition(call, number_zone)
        checks.append(
            RuleCheck(
                rule.rule_id,
                rule.priority,
                unmet is None,
                describe(rule, by_id[rule.rule_id], unmet, call, number_zone),
            )
        )
        if unmet is None:
            break
    decided_item: dict[str, Any] | None
    if decision.source.startswith("rule:"):
        decided_item = by_id[decision.source.removeprefix("rule:")]
    elif decision.source == "number-default":
        decided_item = by_id.get("default")
    elif decision.source == "global-default":
        decided_item = next((dict(item) for item in global_items if item.get(RULE_ID) == "default"), None)
    else:
        decided_item = None
    local = at.astimezone(number_zone)
    calendars = {rule.holiday_calendar for rule in routes.rules if rule.holiday_calendar is not None}
    named = sorted({name for calendar in calendars if (name := holiday_name(calendar, local.date()))})
    return Explanation(
        number=number,
        caller=caller,
        at=local,
        timezone=number_zone.key,
        line=render(decision.action),
        decided_by=decision.source,
        item=decided_item,
        checks=checks,
        holidays=named,
        skipped=skipped_items(items, global_items),
    )


def describe(rule: Rule, item: Mapping[str, Any], unmet: str | None, call: Call, number_zone: Any) -> str:
    """One sentence on why `unmet` (the attribute `Rule.unmet_condition` named) did not hold."""
    if unmet is None:
        return ""
    local = call.at.astimezone(rule.timezone or number_zone)
    value = item.get(unmet)
    shown = ", ".join(sorted(value)) if isinstance(value, set | frozenset) else value
    if rule.timezone is not None and rule.timezone != number_zone:
        shown = f"{shown} (in {rule.timezone.key}, where it is {local:%a %H:%M})"
    # Dates and holidays are those of the day a time range began on (an overnight range's).
    days = rule.service_days(local)
    day = ", ".join(f"{d:%Y-%m-%d}" for d in days) or f"{local:%Y-%m-%d}"
    if days and days != [local.date()]:
        day += f" (the day its hours {item.get('hours')} began)"
    match unmet:
        case "callers":
            who = call.caller or ("an anonymous caller" if call.anonymous else "an unreadable number")
            return f"callers {shown}: {who} is not one of them"
        case "active_from":
            return f"active_from {shown}: {local:%Y-%m-%d %H:%M} is before it"
        case "active_until":
            return f"active_until {shown}: {local:%Y-%m-%d %H:%M} is not before it"
        case "days":
            return f"days {shown}: {local:%A} is not one of them"
        case "hours":
            return f"hours {shown}: {local:%H:%M} is outside (end exclusive)"
        case "dates":
            return f"dates {shown}: {day} is not one of them"
        case _:
            return f"holidays {shown}: {day} is not a holiday there"
