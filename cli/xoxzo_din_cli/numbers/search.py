"""`xoxzo-din numbers search`: the numbers XOXZO offers, with their costs in credits."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from xoxzo_din.route_checks.phone_numbers import country_name
from xoxzo_din_cli import helptext
from xoxzo_din_cli.common import console, print_json
from xoxzo_din_cli.numbers.group import BUY_PANEL, JsonOption, app, credits, national, run


@helptext.command(
    app,
    "search",
    panel=BUY_PANEL,
    examples_of=(
        ("xoxzo-din numbers search --prefix 813", "Tokyo 03 numbers"),
        ("xoxzo-din numbers search --country JP --json", "for a script"),
    ),
)
def search_command(
    context: typer.Context,
    *,
    country: Annotated[
        str | None, typer.Option("--country", metavar="COUNTRY", help="Two-letter country code, e.g. JP.")
    ] = None,
    prefix: Annotated[
        str | None,
        typer.Option(
            "--prefix", metavar="DIGITS", help="Start of the number with its country code: 813 for Tokyo 03."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the numbers XOXZO offers, with their costs in credits."""
    event: dict[str, Any] = {"operation": "search"}
    event |= {key: value for key, value in (("country", country), ("prefix", prefix)) if value is not None}
    result = run(context, event)
    if as_json:
        print_json(result)
        return
    table = Table(title=f"{result['count']} number(s) available (costs in XOXZO credits)")
    for column in ("din_uid", "number", "E.164", "country", "a month", "a minute"):
        table.add_column(column, no_wrap=True, justify="right" if column.startswith("a ") else "left")
    for found in result["numbers"]:
        table.add_row(
            found["din_uid"],
            national(found["number"]),
            found["number"],
            country_of(found["country_code"]),
            credits(found["monthly_cost"]),
            credits(found["minute_cost"]),
        )
    console.print(table)


def country_of(code: Any) -> str:
    """A country by its calling code, as people name it: "Japan (+81)"."""
    try:
        number = int(str(code).removeprefix("+"))
    except ValueError:
        return str(code)
    name = country_name(number)
    return name if name.startswith("+") else f"{name} (+{number})"
