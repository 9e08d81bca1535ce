"""`xoxzo-din numbers subscribe DIN_UID`: buy a number (its cost shown and confirmed first), point it
here and give it a default route."""

from __future__ import annotations

import typer

from xoxzo_din_cli import helptext
from xoxzo_din_cli.common import console, errors, print_json
from xoxzo_din_cli.numbers.group import (
    BUY_PANEL,
    DinUidArgument,
    JsonOption,
    YesOption,
    app,
    credits,
    national,
    run,
)


@helptext.command(
    app,
    "subscribe",
    panel=BUY_PANEL,
    examples_of=(("xoxzo-din numbers subscribe JPg3nw7pd5xjl8va", "shows the cost and asks first"),),
)
def subscribe_command(
    context: typer.Context,
    din_uid: DinUidArgument,
    *,
    yes: YesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Buy a number, point it here and give it a default route.

    XOXZO bills it at once: the monthly cost is shown and you are asked first (--yes does not ask)."""
    offered = next(
        (found for found in run(context, {"operation": "search"})["numbers"] if found["din_uid"] == din_uid),
        None,
    )
    if offered is not None and not yes:
        typer.confirm(
            f"Subscribe {national(offered['number'])} ({offered['number']}) for "
            f"{credits(offered['monthly_cost'])} a month and {credits(offered['minute_cost'])} a minute?",
            abort=True,
            err=True,
        )
    result = run(context, {"operation": "subscribe", "din_uid": din_uid}, waiting=f"subscribing {din_uid}...")
    if as_json:
        print_json(result)
        return
    number = result.get("number")
    console.print(f"{result['outcome']}: {national(number)} ({number}, {din_uid})", highlight=False)
    console.print(
        f"action URL set: {'yes' if result['action_url_set'] else 'no'}; "
        f"default route created: {'yes' if result['default_route_created'] else 'no'}"
    )
    for warning in result.get("warnings", []):
        errors.print(f"warning: {warning}", style="yellow", highlight=False)
