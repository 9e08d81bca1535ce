"""`xoxzo-din numbers cancel DIN_UID`: cancel a number at XOXZO, once the person has typed it back."""

from __future__ import annotations

from typing import Annotated

import typer

from xoxzo_din_cli import helptext
from xoxzo_din_cli.common import console, errors, print_json
from xoxzo_din_cli.numbers.group import (
    STOP_PANEL,
    DinUidArgument,
    JsonOption,
    YesOption,
    app,
    national,
    run,
)


@helptext.command(
    app,
    "cancel",
    panel=STOP_PANEL,
    examples_of=(
        ("xoxzo-din numbers cancel JPg3nw7pd5xjl8va", "asks you to type the number back"),
        ("xoxzo-din numbers cancel JPg3nw7pd5xjl8va --delete-routes", "and delete its routes"),
    ),
)
def cancel_command(
    context: typer.Context,
    din_uid: DinUidArgument,
    *,
    delete_routes: Annotated[bool, typer.Option("--delete-routes", help="Also delete its routes.")] = False,
    yes: YesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Cancel a number at XOXZO, once you have typed it back.

    You are asked to type the number (or the din_uid) back; the function checks what you typed."""
    confirm = din_uid
    if not yes:
        listed = next(
            (n for n in run(context, {"operation": "list"})["numbers"] if n["din_uid"] == din_uid), None
        )
        shown = (
            f"{national(listed['number'])} ({listed['number']}, {din_uid})"
            if listed and listed["number"]
            else din_uid
        )
        errors.print(
            f"Cancelling {shown} at XOXZO" + (" and deleting its routes" if delete_routes else ""),
            highlight=False,
        )
        confirm = typer.prompt("Type the number (or the din_uid) to confirm", err=True)
    event = {"operation": "cancel", "din_uid": din_uid, "confirm": confirm, "delete_routes": delete_routes}
    result = run(context, event, waiting=f"cancelling {din_uid}...")
    if as_json:
        print_json(result)
        return
    console.print(
        f"{result['outcome']}: {national(result.get('number'))} ({din_uid}); "
        f"{result['routes_deleted']} route item(s) deleted",
        highlight=False,
    )
