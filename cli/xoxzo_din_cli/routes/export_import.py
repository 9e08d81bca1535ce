"""`xoxzo-din routes export` and `routes import`: the routes as a YAML file to keep in version
control (routes_file.py), and the table made to say what such a file says."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xoxzo_din.route_checks import check
from xoxzo_din.routing.actions import Action
from xoxzo_din.tables.routes import read_routes
from xoxzo_din.tables.snapshot import Routes
from xoxzo_din_cli import helptext
from xoxzo_din_cli.common import EXIT_CONFLICT, EXIT_PROBLEMS, console, errors, fail, print_json
from xoxzo_din_cli.routes import routes_file
from xoxzo_din_cli.routes.group import (
    CHANGE_PANEL,
    JsonOption,
    app,
    key,
    parse_number,
    stack_fallback,
    stack_routes,
    target_of,
)
from xoxzo_din_cli.routes.writes import apply, print_plan


@helptext.command(
    app,
    "export",
    panel=CHANGE_PANEL,
    examples_of=(
        ("xoxzo-din routes export -o routes.yaml", "every number, and the global default"),
        ("xoxzo-din routes export 03-1234-5678 > office.yaml", "one number"),
    ),
)
def export_command(
    context: typer.Context,
    numbers: Annotated[
        list[str] | None,
        typer.Argument(metavar="NUMBER", help="Numbers to export (default: every number, and *)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to this file instead of the terminal."),
    ] = None,
) -> None:
    """Write the routes as YAML, to keep in version control and import again."""
    routes = stack_routes(context)
    text = routes_file.dump(routes, [parse_number(raw) for raw in numbers] if numbers else None)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        errors.print(f"wrote {output}")


@helptext.command(
    app,
    "import",
    panel=CHANGE_PANEL,
    examples_of=(
        ("xoxzo-din routes import routes.yaml --dry-run", "what would change"),
        ("xoxzo-din routes import routes.yaml", "write it"),
        ("xoxzo-din routes import routes.yaml --prune", "also delete the items the file no longer has"),
    ),
)
def import_command(
    context: typer.Context,
    *,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="A YAML file written by export (or by hand).", exists=True, dir_okay=False
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes, write nothing.")] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Also delete the items of the file's numbers it no longer has.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Make the table say what a YAML file says, checked first and never overwriting an edit.

    The whole file is read and checked first: nothing is written if anything is wrong. Each write
    is conditional: an item edited meanwhile (in the console) stops the import, exit status 4."""
    try:
        wanted = routes_file.load(file.read_text(encoding="utf-8"))
        _refuse_check_errors(wanted, stack_fallback(context))
    except routes_file.RoutesFileError as error:
        if as_json:
            print_json({"ok": False, "problems": error.problems})
        for problem in error.problems:
            errors.print(f"error: {problem}", style="red", highlight=False)
        errors.print("nothing was written")
        raise typer.Exit(EXIT_PROBLEMS) from error
    table = target_of(context).stack().table("RoutesTableName")
    plan = routes_file.plan(read_routes(table), wanted, prune=prune)
    written, conflict = (0, None) if dry_run else apply(table, plan)
    summary = {
        "ok": conflict is None,
        "dry_run": dry_run,
        "added": [key(item) for item in plan.added],
        "changed": [{"key": key(new), "old": old, "new": new} for old, new in plan.changed],
        "removed": [key(item) for item in plan.removed],
        "kept": [key(item) for item in plan.kept],
        "written": written,
        "conflict": conflict,
    }
    if as_json:
        print_json(summary)
    else:
        print_plan(plan, prune=prune)
        if plan.empty:
            console.print("no change")
        elif dry_run:
            console.print("dry run: nothing was written")
        else:
            console.print(f"{written} write(s) done")
    if conflict is not None:
        fail(
            f"{conflict}: {written} write(s) were done before it; export again and redo your change",
            EXIT_CONFLICT,
        )


def _refuse_check_errors(wanted: Routes, fallback: Action) -> None:
    """What `routes check` says of the file's items: an error refuses the file (a misspelt
    condition, say), a warning is shown. The global default's absence is not the file's business."""
    findings = [
        finding
        for finding in check.check_routes(wanted, fallback=fallback)
        if finding.number in wanted.by_number
    ]
    for finding in findings:
        if finding.severity == check.WARNING:
            errors.print(
                f"warning: {finding.number}/{finding.rule_id}: {finding.problem} ({finding.fix})",
                style="yellow",
                highlight=False,
            )
    problems = [
        f"{f.number}/{f.rule_id}: {f.problem} ({f.fix})" for f in findings if f.severity == check.ERROR
    ]
    if problems:
        raise routes_file.RoutesFileError(problems)
