"""What `routes import` and `routes restore` write: the plan (routes_file.plan) shown to a person,
then applied, each write conditional, stopping at the first item edited meanwhile."""

from __future__ import annotations

from typing import Any

from xoxzo_din.tables.routes import ConcurrentEditError, delete_item, write_item
from xoxzo_din_cli.common import console
from xoxzo_din_cli.routes.group import attributes, key, plain
from xoxzo_din_cli.routes.routes_file import Plan


def apply(table: Any, plan: Plan) -> tuple[int, str | None]:
    """Write the plan, each write conditional; stop at the first concurrent edit.
    Returns the writes done and the conflict (None when every write was done)."""
    written = 0
    try:
        for item in plan.added:
            write_item(table, item, None)
            written += 1
        for old, new in plan.changed:
            write_item(table, new, old)
            written += 1
        for old in plan.removed:
            delete_item(table, old)
            written += 1
    except ConcurrentEditError as error:
        return written, str(error)
    return written, None


def print_plan(plan: Plan, *, prune: bool) -> None:
    for item in plan.added:
        console.print(f"[green]+ {key(item)}[/green] {attributes(item)}", highlight=False)
    for old, new in plan.changed:
        console.print(f"[yellow]~ {key(new)}[/yellow]", highlight=False)
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                console.print(
                    f"    {name}: {plain(old.get(name))} -> {plain(new.get(name))}", highlight=False
                )
    for item in plan.removed:
        console.print(f"[red]- {key(item)}[/red]", highlight=False)
    if plan.kept and not prune:
        console.print(f"{len(plan.kept)} item(s) not in the file left as they are (--prune deletes them)")
