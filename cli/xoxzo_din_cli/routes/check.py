"""`xoxzo-din routes check`: every item as the action function reads it, and what to fix."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from xoxzo_din.route_checks import check
from xoxzo_din.tables.numbers import NumbersStore
from xoxzo_din_cli import helptext
from xoxzo_din_cli.common import EXIT_PROBLEMS, console, print_json
from xoxzo_din_cli.routes.group import (
    LOOK_PANEL,
    JsonOption,
    app,
    parse_number,
    stack_fallback,
    stack_routes,
    target_of,
)


@helptext.command(
    app,
    "check",
    panel=LOOK_PANEL,
    examples_of=(
        ("xoxzo-din routes check", "every number; exit status 1 on an error"),
        ("xoxzo-din routes check 03-1234-5678 --json", "one number, for a script"),
        ("xoxzo-din --config-env prod routes check", "a deployed stack"),
    ),
)
def check_command(
    context: typer.Context,
    numbers: Annotated[
        list[str] | None, typer.Argument(metavar="NUMBER", help="Numbers to check (default: every number).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check every item as the action function reads it, and say what to fix.

    Errors are items the function skips (and transfer targets that cannot exist); warnings are
    routes that work, but probably not as meant. Each names the number, the rule and the attribute,
    says what is wrong and gives the fix as an example. Exit status 1 when there is an error."""
    target = target_of(context)
    routes = stack_routes(context)
    subscribed = [
        record.number
        for record in NumbersStore(target.stack().table("NumbersTableName")).active()
        if record.number
    ]
    wanted = [parse_number(raw) for raw in numbers] if numbers else None
    findings = check.check_routes(
        routes, numbers=wanted, subscribed=subscribed, fallback=stack_fallback(context)
    )
    error_count = sum(1 for finding in findings if finding.severity == check.ERROR)
    if as_json:
        print_json({"errors": error_count, "warnings": len(findings) - error_count, "findings": findings})
    else:
        # Where (number, rule, attribute) stacked in a column that never wraps, so that a phone
        # number is never split, and the problem with its fix in one column that wraps by words.
        table = Table(title=f"routes check: {target.stack().name}")
        table.add_column("", no_wrap=True)
        table.add_column("where", no_wrap=True)
        table.add_column("problem, and the fix")
        for finding in findings:
            mark = "[red]error[/red]" if finding.severity == check.ERROR else "[yellow]warning[/yellow]"
            where = "\n".join(part for part in (finding.number, finding.rule_id, finding.attribute) if part)
            table.add_row(mark, Text(where), Text(f"{finding.problem}\nfix: {finding.fix}"))
        if findings:
            console.print(table)
        checked = len(wanted) if wanted is not None else len(routes.numbers)
        console.print(
            f"{checked} number(s) checked: {error_count} error(s), {len(findings) - error_count} warning(s)"
        )
    if error_count:
        raise typer.Exit(EXIT_PROBLEMS)
