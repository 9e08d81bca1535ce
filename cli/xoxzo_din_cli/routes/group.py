"""The `routes` group: its help and panels, and what its commands share: the stack's routes and
fallback, a number and a time as a person types them, an item as a person reads it."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated, Any

import typer

from xoxzo_din.phone import to_e164
from xoxzo_din.routing.actions import Action
from xoxzo_din.tables.routes import read_routes
from xoxzo_din.tables.schema import GLOBAL_NUMBER, NUMBER, RULE_ID
from xoxzo_din.tables.snapshot import Routes
from xoxzo_din_cli import helptext
from xoxzo_din_cli.common import Target, fail, fallback_of

app = helptext.group(
    "See, check and change what callers hear: the routes table.",
    examples_of=(
        ("xoxzo-din routes show 03-1234-5678", "its rules, in the order they are tried"),
        ("xoxzo-din routes explain 03-1234-5678 --caller 090-1234-5678", "what that caller hears now"),
        ("xoxzo-din routes check", "every item, as the action function reads it"),
    ),
)
# The panels of `routes --help`, in the order of the task.
LOOK_PANEL = "See what callers hear"
CHANGE_PANEL = "Keep and change the routes"
UNDO_PANEL = "Undo a change"

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output, for scripts.")]
NumberArgument = Annotated[
    str, typer.Argument(metavar="NUMBER", help="The called number (the DIN), e.g. 03-1234-5678.")
]


def target_of(context: typer.Context) -> Target:
    target: Target = context.find_object(Target)  # type: ignore[assignment]
    return target


def stack_routes(context: typer.Context) -> Routes:
    return read_routes(target_of(context).stack().table("RoutesTableName"))


def stack_fallback(context: typer.Context) -> Action:
    return fallback_of(target_of(context).stack())


def parse_number(raw: str, *, global_allowed: bool = True) -> str:
    if raw == GLOBAL_NUMBER:
        if not global_allowed:
            fail(
                "* holds only the global default (no rules): name a number (it falls to * without a default)",
                2,
            )
        return raw
    number = to_e164(raw)
    if number is None:
        fail(f"{raw!r} is not a phone number (give it as +81312345678 or 03-1234-5678)", 2)
    return number


def parse_moment(raw: str | None, routes_timezone: Any) -> datetime:
    if raw is None:
        return datetime.now(UTC)
    text = raw.strip().replace(" ", "T", 1)
    try:
        if len(text) <= 5 and ":" in text:  # "10:30": today, in the number's zone
            return datetime.combine(
                datetime.now(routes_timezone).date(), time.fromisoformat(text), routes_timezone
            )
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--at {raw!r} is not a time such as 2026-12-02T12:00, 2026-12-02T12:00+09:00 or 12:00", 2)
    return moment if moment.tzinfo else moment.replace(tzinfo=routes_timezone)


def key(item: dict[str, Any]) -> str:
    return f"{item[NUMBER]}/{item[RULE_ID]}"


def plain(value: Any) -> str:
    """A table value as a person writes it: 60, not Decimal('60'); a set as a, b."""
    if value is None:
        return "(none)"
    if isinstance(value, set | frozenset):
        return ", ".join(sorted(map(str, value)))
    return str(value) if not isinstance(value, str) else repr(value)


def attributes(item: dict[str, Any]) -> str:
    return ", ".join(
        f"{k}={','.join(sorted(v)) if isinstance(v, set) else v}"
        for k, v in item.items()
        if k not in (NUMBER, RULE_ID)
    )
