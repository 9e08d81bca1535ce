"""`xoxzo-din routes show NUMBER`: one number's items in the order the action function tries them,
each rule's conditions as written and the answer it gives; then the default, and what comes after."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from xoxzo_din.route_checks import calendar
from xoxzo_din.route_checks.item_problems import item_problems
from xoxzo_din.routing.actions import Action, render
from xoxzo_din.routing.rule_parsing import DEFAULT_PRIORITY, parse_number_routes
from xoxzo_din.tables.schema import DEFAULT_RULE_ID, GLOBAL_NUMBER, RULE_ID
from xoxzo_din_cli import helptext
from xoxzo_din_cli.common import console, print_json
from xoxzo_din_cli.routes.group import (
    LOOK_PANEL,
    JsonOption,
    NumberArgument,
    app,
    parse_number,
    stack_fallback,
    stack_routes,
)

# The conditions of a rule, in the order a person reads them ("who, when").
CONDITIONS = ("callers", "days", "hours", "dates", "holidays", "active_from", "active_until", "timezone")


@dataclass(frozen=True)
class Row:
    rule_id: str
    priority: int | None
    conditions: dict[str, str]  # as written in the item
    answer: str  # the action line, or what happens instead
    status: str  # "tried", "disabled", "skipped" (answer: why), "default", "global default", "fallback"


@helptext.command(
    app,
    "show",
    panel=LOOK_PANEL,
    examples_of=(
        ("xoxzo-din routes show 03-1234-5678", "its rules, in the order they are tried"),
        ("xoxzo-din --config-env prod routes show +81312345678 --json", "for a script"),
    ),
)
def show_command(context: typer.Context, number: NumberArgument, *, as_json: JsonOption = False) -> None:
    """Show a number's rules in the order they are tried: conditions and answer.

    Then its default, and what a call no rule takes gets when it has none (the global default, then
    the stack's fallback action). Disabled rules and items the function skips are listed where
    they stand, marked."""
    called = parse_number(number, global_allowed=False)
    routes = stack_routes(context)
    items = routes.items_of(called)
    parsed = parse_number_routes(items)
    rows = rows_of(items, routes.global_items, stack_fallback(context))
    zone = calendar.number_zone(parsed).key
    if as_json:
        print_json({"number": called, "timezone": zone, "rows": rows})
        return
    tried = sum(1 for row in rows if row.status == "tried")
    table = Table(
        title=f"{called} ({zone}): {tried} rule(s) tried from the top; the first that matches answers"
    )
    # Conditions one a line, wrapped at their commas: a phone number is never split (min_width).
    table.add_column("rule", overflow="fold")
    table.add_column("priority", justify="right", no_wrap=True)
    table.add_column("when", min_width=16, overflow="fold")
    table.add_column("answer", overflow="fold", ratio=1)
    for row in rows:
        when = "\n".join(f"{name} {value}" for name, value in row.conditions.items()) or "any call"
        answer = Text(row.answer)
        if row.status != "tried":
            answer = Text.assemble(
                (f"({row.status})", _STYLES.get(row.status.split(":")[0], "")), " ", row.answer
            )
        table.add_row(row.rule_id, "" if row.priority is None else str(row.priority), Text(when), answer)
    console.print(table)


_STYLES = {"disabled": "dim", "skipped": "red"}


def rows_of(
    items: Sequence[Mapping[str, Any]], global_items: Sequence[Mapping[str, Any]], fallback: Action
) -> list[Row]:
    """The rows of the table: the rules by priority then rule_id (as the function sorts them), then
    the number's default, the global default and the fallback, as far as a call gets."""
    rules = sorted((item for item in items if item.get(RULE_ID) != DEFAULT_RULE_ID), key=_order)
    rows = [_rule_row(item) for item in rules]
    default = next((item for item in items if item.get(RULE_ID) == DEFAULT_RULE_ID), None)
    number_default = parse_number_routes([default]).default if default is not None else None
    if number_default is not None:
        return [*rows, Row(DEFAULT_RULE_ID, None, {}, render(number_default), "default")]
    global_default = parse_number_routes(list(global_items), global_partition=True).default
    if default is not None:
        rows.append(_rule_row(default))
    if global_default is not None:
        return [
            *rows,
            Row(f"{GLOBAL_NUMBER}/{DEFAULT_RULE_ID}", None, {}, render(global_default), "global default"),
        ]
    return [*rows, Row("(fallback)", None, {}, render(fallback), "fallback: no default anywhere")]


def _order(item: Mapping[str, Any]) -> tuple[int, str]:
    parsed = parse_number_routes([item])
    priority = parsed.rules[0].priority if parsed.rules else _written_priority(item)
    return priority, str(item.get(RULE_ID, ""))


def _written_priority(item: Mapping[str, Any]) -> int:
    try:
        return int(str(item.get("priority", DEFAULT_PRIORITY)))
    except ValueError:
        return DEFAULT_PRIORITY


def _rule_row(item: Mapping[str, Any]) -> Row:
    rule_id = str(item.get(RULE_ID, "?"))
    conditions = {name: _written(item[name]) for name in CONDITIONS if name in item}
    problems = item_problems(item)
    if problems:
        return Row(rule_id, _written_priority(item), conditions, problems[0].problem, "skipped")
    parsed = parse_number_routes([item])
    if rule_id == DEFAULT_RULE_ID:  # a default that is disabled or has no action
        return Row(rule_id, None, {}, "", "disabled default: the global default answers")
    if not parsed.rules:  # disabled: what it would answer once enabled
        enabled = parse_number_routes([{**item, "enabled": True}]).rules
        return Row(rule_id, _written_priority(item), conditions, render(enabled[0].action), "disabled")
    rule = parsed.rules[0]
    return Row(rule_id, rule.priority, conditions, render(rule.action), "tried")


def _written(value: Any) -> str:
    """A condition as written, a space after each comma (so that a long list wraps there)."""
    if isinstance(value, set | frozenset | list | tuple):
        return ", ".join(sorted(str(part) for part in value))
    return re.sub(r",(?=\S)", ", ", str(value))
