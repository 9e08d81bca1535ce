"""`xoxzo-din numbers list`: every number XOXZO or this stack knows, and what differs."""

from __future__ import annotations

from urllib.parse import urlsplit

import typer
from rich.table import Table

from xoxzo_din_cli import helptext
from xoxzo_din_cli.common import console, print_json
from xoxzo_din_cli.numbers.group import KEEP_PANEL, JsonOption, app, credits, national, run

# What list's drift names mean to a person.
FLAGS = {
    "only_at_xoxzo": "only at XOXZO",
    "only_ours": "only here",
    "status_mismatch": "status differs",
    "action_url_differs": "URL not recorded",
    "action_url_not_this_stack": "not this stack",
}


@helptext.command(
    app,
    "list",
    panel=KEEP_PANEL,
    examples_of=(
        ("xoxzo-din numbers list", "the local stack's"),
        ("xoxzo-din --config-env prod numbers list --json", "a deployed stack's, for a script"),
    ),
)
def list_command(context: typer.Context, *, as_json: JsonOption = False) -> None:
    """List every number XOXZO or this stack knows, and what differs."""
    result = run(context, {"operation": "list"})
    if as_json:
        print_json(result)
        return
    table = Table(title=f"{result['count']} number(s), {result['drift_count']} with drift")
    for column in ("number", "E.164", "din_uid", "status", "at XOXZO", "action URL host", "a month", "flags"):
        table.add_column(column, no_wrap=column in ("number", "E.164", "din_uid"))
    for listing in result["numbers"]:
        cost = listing.get("monthly_cost")
        table.add_row(
            national(listing["number"]),
            listing["number"] or "",
            listing["din_uid"],
            listing["status"] or "(no record)",
            "yes" if listing["at_xoxzo"] else "no",
            host(listing["action_url_at_xoxzo"]),
            "" if cost is None else credits(cost),
            ", ".join(FLAGS.get(flag, flag) for flag in listing["drift"]),
        )
    console.print(table)


def host(url: str | None) -> str:
    return (urlsplit(url).hostname or url) if url else ""
