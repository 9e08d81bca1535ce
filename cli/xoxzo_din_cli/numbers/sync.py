"""`xoxzo-din numbers sync`: make this stack's records and XOXZO agree, and say what was repaired."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from xoxzo_din_cli import helptext, provisioning_client
from xoxzo_din_cli.common import console, print_json
from xoxzo_din_cli.numbers.group import KEEP_PANEL, JsonOption, app, national, run


@helptext.command(
    app,
    "sync",
    panel=KEEP_PANEL,
    examples_of=(
        ("xoxzo-din numbers sync", "repair what differs, and say what was done"),
        ("xoxzo-din numbers sync --adopt JPg3nw7pd5xjl8va", "take over a number another server points at"),
    ),
)
def sync_command(
    context: typer.Context,
    *,
    adopt: Annotated[
        list[str] | None,
        typer.Option("--adopt", metavar="DIN_UID", help="Take over this number (repeatable)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Make this stack's records and XOXZO agree, and say what was repaired.

    It never subscribes or cancels a number."""
    event: dict[str, Any] = {"operation": "sync"}
    if adopt:
        event["adopt"] = adopt
    result = run(context, event, waiting="syncing every number with XOXZO...")
    if as_json:
        print_json(result)
        return
    summary = (
        f"{result['at_xoxzo']} number(s) at XOXZO, {result['recorded']} recorded here, "
        f"{result['in_sync']} in sync"
    )
    if not any(result[key] for key in ("actions", "pending", "errors", "foreign")):
        console.print(f"All in sync: {summary}; nothing to repair.", highlight=False)
        return
    table = Table(title=f"sync: {summary}")
    for column in ("", "number", "din_uid", "what", "detail"):
        table.add_column(column)
    for kind, entries in (
        ("done", result["actions"]),
        ("pending", result["pending"]),
        ("error", result["errors"]),
    ):
        for entry in entries:
            table.add_row(kind, national(entry["number"]), entry["din_uid"], entry["action"], entry["detail"])
    for foreign in result["foreign"]:
        table.add_row(
            "foreign",
            national(foreign["number"]),
            foreign["din_uid"],
            f"points at {foreign['points_to']}",
            foreign["hint"],
        )
    console.print(table)
    if result["errors"]:
        raise typer.Exit(provisioning_client.EXIT_XOXZO)
