"""`xoxzo-din routes history` and `routes restore`: every change of a number's routes (kept by the
route-changes function), and putting them back as they were at a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.table import Table

from xoxzo_din.route_checks import calendar
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.tables import history as route_history
from xoxzo_din.tables.routes import read_routes
from xoxzo_din.tables.schema import NUMBER, RULE_ID
from xoxzo_din.tables.snapshot import Routes
from xoxzo_din_cli import helptext
from xoxzo_din_cli.common import EXIT_CONFLICT, EXIT_STACK, EXIT_USAGE, console, errors, fail, print_json
from xoxzo_din_cli.routes import routes_file
from xoxzo_din_cli.routes.group import (
    UNDO_PANEL,
    JsonOption,
    app,
    key,
    parse_moment,
    parse_number,
    plain,
    target_of,
)
from xoxzo_din_cli.routes.writes import apply, print_plan
from xoxzo_din_cli.stack import Stack


@helptext.command(
    app,
    "history",
    panel=UNDO_PANEL,
    examples_of=(
        ("xoxzo-din routes history 03-1234-5678", "the local stack's"),
        (
            "xoxzo-din --config-env prod routes history 03-1234-5678 --json",
            "a deployed stack's, for a script",
        ),
    ),
)
def history_command(
    context: typer.Context,
    number: Annotated[
        str,
        typer.Argument(
            metavar="NUMBER", help="The number whose changes to show (or * for the global default)."
        ),
    ],
    *,
    as_json: JsonOption = False,
) -> None:
    """List every change of a number's routes, newest first.

    Each change with its time (the number's, with its offset: what restore --at takes) and what
    changed, old and new. Kept for the stack's HistoryRetentionDays."""
    called = parse_number(number)
    stack = target_of(context).stack()
    _refuse_without_history(stack)
    changes = list(reversed(route_history.changes_of(stack.table("HistoryTableName"), called)))
    if as_json:
        print_json(
            [{"at": c.at, "rule_id": c.rule_id, "kind": c.kind, "old": c.old, "new": c.new} for c in changes]
        )
        return
    if not changes:
        kept = stack.parameters.get("HistoryRetentionDays") or "HistoryRetentionDays"
        console.print(f"no change of {called} is recorded (the history keeps {kept} days)", highlight=False)
        return
    # The number's own time, with its offset: what `routes restore --at` takes, pasted as it is.
    zone = calendar.number_zone(
        parse_number_routes(read_routes(stack.table("RoutesTableName")).items_of(called))
    )
    table = Table(title=f"{len(changes)} change(s) of {called}")
    for column in ("when (the number's time)", "rule", "what", "changed"):
        table.add_column(column, overflow="fold")
    for change in changes:
        table.add_row(
            change.at.astimezone(zone).isoformat(timespec="seconds"),
            change.rule_id,
            change.kind,
            _difference(change.old, change.new),
        )
    console.print(table)


def _difference(old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    before, after = old or {}, new or {}
    names = sorted((set(before) | set(after)) - {NUMBER, RULE_ID})
    return "; ".join(
        f"{name}: {plain(before.get(name))} -> {plain(after.get(name))}"
        for name in names
        if before.get(name) != after.get(name)
    )


@helptext.command(
    app,
    "restore",
    panel=UNDO_PANEL,
    examples_of=(
        (
            "xoxzo-din routes restore 03-1234-5678 --at 2026-12-02T09:00 --dry-run",
            "the way back, written nowhere",
        ),
        ("xoxzo-din routes restore 03-1234-5678 --at 2026-12-02T09:00", "put them back"),
    ),
)
def restore_command(
    context: typer.Context,
    number: Annotated[
        str, typer.Argument(metavar="NUMBER", help="The number whose routes to put back (or *).")
    ],
    *,
    at: Annotated[
        str,
        typer.Option(
            "--at", metavar="TIME", help="When they were right: the number's local time, or with an offset."
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes, write nothing.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Put a number's routes back as they were at a moment.

    Every later change is undone, each write conditional: an item edited meanwhile stops it (exit
    status 4), never overwritten. The restore is itself a change, kept in the history."""
    called = parse_number(number, global_allowed=True)
    stack = target_of(context).stack()
    _refuse_without_history(stack)
    table = stack.table("RoutesTableName")
    current = read_routes(table)
    zone = calendar.number_zone(parse_number_routes(current.items_of(called)))
    moment = parse_moment(at, zone)
    kept_since = _history_start(stack.parameters.get("HistoryRetentionDays"))
    if kept_since is None:
        errors.print(
            "warning: the stack does not say how long its history is kept (HistoryRetentionDays);"
            " a moment older than that is rebuilt only in part",
            style="yellow",
            highlight=False,
        )
    elif moment < kept_since:
        since = kept_since.astimezone(zone).isoformat(timespec="minutes")
        fail(
            f"--at {at} is before {since}: the history keeps changes for HistoryRetentionDays only, so"
            " the routes of that moment cannot be rebuilt; nothing was written (a routes export or a"
            " point-in-time restore of the table goes further)",
            EXIT_USAGE,
        )
    changes = route_history.changes_of(stack.table("HistoryTableName"), called)
    wanted = Routes({called: route_history.items_at(current.items_of(called), changes, moment)})
    plan = routes_file.plan(current, wanted, prune=True)
    written, conflict = (0, None) if dry_run else apply(table, plan)
    if as_json:
        print_json(
            {
                "ok": conflict is None,
                "dry_run": dry_run,
                "written": written,
                "conflict": conflict,
                "added": [key(i) for i in plan.added],
                "changed": [key(n) for _, n in plan.changed],
                "removed": [key(i) for i in plan.removed],
            }
        )
    else:
        print_plan(plan, prune=True)
        console.print(
            "no change"
            if plan.empty
            else "dry run: nothing was written"
            if dry_run
            else f"{written} write(s) done"
        )
    if conflict is not None:
        fail(f"{conflict}: {written} write(s) were done before it; run it again", EXIT_CONFLICT)


def _refuse_without_history(stack: Stack) -> None:
    """Say plainly that a stack keeps no history, rather than show none and let a person believe
    that nothing changed."""
    if not stack.records_history:
        fail(
            f"stack {stack.name} records no history of its routes: nothing runs the route-changes function"
            " on its table's stream (a make local older than this tool?), so no change can be shown or"
            " undone; restart make local, or use routes export before an edit and import to go back",
            EXIT_STACK,
        )


def _history_start(retention_days: str | None) -> datetime | None:
    """The oldest moment the history still covers (None: a stack that does not say)."""
    try:
        days = int(retention_days or "")
    except ValueError:
        return None
    return datetime.now(UTC) - timedelta(days=days)
