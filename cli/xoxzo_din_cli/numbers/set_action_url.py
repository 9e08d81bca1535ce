"""`xoxzo-din numbers set-action-url`: point a number (or every number) at this stack's action URL."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from xoxzo_din_cli import helptext, provisioning_client
from xoxzo_din_cli.common import console, print_json
from xoxzo_din_cli.numbers.group import KEEP_PANEL, JsonOption, app, national, run


@helptext.command(
    app,
    "set-action-url",
    panel=KEEP_PANEL,
    examples_of=(
        ("xoxzo-din numbers set-action-url JPg3nw7pd5xjl8va", "one number"),
        ("xoxzo-din numbers set-action-url --all", "every active number"),
    ),
)
def set_action_url_command(
    context: typer.Context,
    din_uid: Annotated[
        str | None, typer.Argument(metavar="DIN_UID", help="The number's din_uid (or --all).")
    ] = None,
    *,
    all_numbers: Annotated[bool, typer.Option("--all", help="Every active number.")] = False,
    action_url: Annotated[
        str | None, typer.Option("--action-url", metavar="URL", help="Another URL than this stack's.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Allow an --action-url that is not this stack's API (logged).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Point a number (or every number) at this stack's action URL."""
    event: dict[str, Any] = {"operation": "set-action-url"}
    event |= {"all": True} if all_numbers else {"din_uid": din_uid}
    if action_url is not None:
        event["action_url"] = action_url
    if force:
        event["force"] = True
    result = run(context, event, waiting="pointing numbers..." if all_numbers else None)
    if as_json:
        print_json(result)
        return
    for outcome in result["numbers"]:
        console.print(
            f"{outcome['outcome']}: {national(outcome['number'])} ({outcome['din_uid']})"
            + (f": {outcome['error']}" if outcome.get("error") else ""),
            highlight=False,
        )
    console.print(
        f"{result['set_count']} set, {result['failed_count']} failed, {result['skipped_count']} skipped "
        f"(to {result['action_url']})",
        highlight=False,
    )
    if result["failed_count"] or result["skipped_count"]:
        raise typer.Exit(provisioning_client.EXIT_XOXZO)
