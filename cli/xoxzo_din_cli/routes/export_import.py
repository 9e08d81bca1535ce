"""`xoxzo-din routes ...`: the group, what its commands share, and check, explain, export and import.
show, calendar, history and restore have their own modules (they add themselves to `app`)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from xoxzo_din.phone import to_e164
from xoxzo_din.provisioning.numbers_table import NumbersStore
from xoxzo_din.route_checks import calendar, check
from xoxzo_din.routes_table.schema import GLOBAL_NUMBER, NUMBER, RULE_ID
from xoxzo_din.routes_table.snapshot import Routes
from xoxzo_din.routing.actions import Action
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.routing.settings import FALLBACK_ACTION_ENV, ActionSettings
from xoxzo_din_cli import explain, helptext, routes_file
from xoxzo_din_cli.common import EXIT_CONFLICT, EXIT_PROBLEMS, Target, console, errors, fail, print_json
from xoxzo_din_cli.routes_table import ConcurrentEditError, delete_item, read_routes, write_item
from xoxzo_din_cli.stack import Stack

app = helptext.group(
    "See, check and change what callers hear: the routes table.",
    examples_of=(
        ("xoxzo-din routes show 03-1234-5678", "its rules, in the order they are tried"),
        ("xoxzo-din routes explain 03-1234-5678 --caller 090-1234-5678", "what that caller hears now"),
        ("xoxzo-din routes check", "every item, as the action function reads it"),
    ),
)
# The panels of `routes --help`, in the order of the task.
LOOK_PANEL = "See what callers hear"
CHANGE_PANEL = "Keep and change the routes"
UNDO_PANEL = "Undo a change"

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output, for scripts.")]
NumberArgument = Annotated[
    str, typer.Argument(metavar="NUMBER", help="The called number (the DIN), e.g. 03-1234-5678.")
]


def _target(context: typer.Context) -> Target:
    target: Target = context.find_object(Target)  # type: ignore[assignment]
    return target


def _routes(context: typer.Context) -> Routes:
    return read_routes(_target(context).stack().table("RoutesTableName"))


def _fallback(context: typer.Context) -> Action:
    return fallback_of(_target(context).stack())


def fallback_of(stack: Stack) -> Action:
    """The stack's last-resort action, read as the action function reads its FALLBACK_ACTION."""
    line = stack.parameters.get("FallbackAction", "")
    return ActionSettings.from_environment({FALLBACK_ACTION_ENV: line}).fallback


def _number(raw: str, *, global_allowed: bool = True) -> str:
    if raw == GLOBAL_NUMBER:
        if not global_allowed:
            fail(
                "* holds only the global default (no rules): name a number (it falls to * without a default)",
                2,
            )
        return raw
    number = to_e164(raw)
    if number is None:
        fail(f"{raw!r} is not a phone number (give it as +81312345678 or 03-1234-5678)", 2)
    return number


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
    target = _target(context)
    routes = _routes(context)
    subscribed = [
        record.number
        for record in NumbersStore(target.stack().table("NumbersTableName")).active()
        if record.number
    ]
    wanted = [_number(raw) for raw in numbers] if numbers else None
    findings = check.check_routes(routes, numbers=wanted, subscribed=subscribed, fallback=_fallback(context))
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


def _moment(raw: str | None, routes_timezone: Any) -> datetime:
    if raw is None:
        return datetime.now(UTC)
    text = raw.strip().replace(" ", "T", 1)
    try:
        if len(text) <= 5 and ":" in text:  # "10:30": today, in the number's zone
            return datetime.combine(
                datetime.now(routes_timezone).date(), time.fromisoformat(text), routes_timezone
            )
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--at {raw!r} is not a time such as 2026-12-02T12:00, 2026-12-02T12:00+09:00 or 12:00", 2)
    return moment if moment.tzinfo else moment.replace(tzinfo=routes_timezone)


@helptext.command(
    app,
    "explain",
    panel=LOOK_PANEL,
    examples_of=(
        ("xoxzo-din routes explain 03-1234-5678 --caller 090-1234-5678", "that caller, now"),
        (
            "xoxzo-din routes explain 03-1234-5678 --caller anonymous --at 2026-12-02T12:15",
            "a hidden caller, then",
        ),
        ("xoxzo-din routes explain +81312345678 --at '2026-11-23 10:00+09:00' --json", "for a script"),
    ),
)
def explain_command(
    context: typer.Context,
    number: NumberArgument,
    caller: Annotated[
        str,
        typer.Option(
            "--caller", metavar="CALLER", help="Who calls: a number, or anonymous (or '') for a hidden one."
        ),
    ] = "",
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIME",
            help="When: the number's local time, or a time with an offset; default now.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Say what a call gets, which item decided it, and why each earlier rule did not.

    The answer is the action line the function would give, decided by the function's own code."""
    called = _number(number, global_allowed=False)
    routes = _routes(context)
    items = routes.items_of(called)
    zone = calendar.number_zone(parse_number_routes(items))
    result = explain.explain(
        called,
        None if caller.lower() == "anonymous" else caller,
        _moment(at, zone),
        items=items,
        global_items=routes.global_items,
        fallback=_fallback(context),
    )
    if as_json:
        print_json(result)
        return
    console.print(f"[bold]{result.line}[/bold]", highlight=False, soft_wrap=True)
    console.print(
        f"decided by {result.decided_by}" + (f" ({_attributes(result.item)})" if result.item else ""),
        highlight=False,
    )
    console.print(
        f"at {result.at:%a %Y-%m-%d %H:%M} {result.timezone}"
        + (f" ({', '.join(result.holidays)})" if result.holidays else "")
    )
    for rule_check in result.checks:
        verdict = "[green]matched[/green]" if rule_check.matched else rule_check.reason
        console.print(f"  {rule_check.rule_id} (priority {rule_check.priority}): {verdict}", highlight=False)
    for problem in result.skipped:
        console.print(f"  [red]skipped[/red] {problem}", highlight=False)


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
    routes = _routes(context)
    text = routes_file.dump(routes, [_number(raw) for raw in numbers] if numbers else None)
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
        _refuse_check_errors(wanted, _fallback(context))
    except routes_file.RoutesFileError as error:
        if as_json:
            print_json({"ok": False, "problems": error.problems})
        for problem in error.problems:
            errors.print(f"error: {problem}", style="red", highlight=False)
        errors.print("nothing was written")
        raise typer.Exit(EXIT_PROBLEMS) from error
    table = _target(context).stack().table("RoutesTableName")
    plan = routes_file.plan(read_routes(table), wanted, prune=prune)
    written, conflict = (0, None) if dry_run else _apply(table, plan)
    summary = {
        "ok": conflict is None,
        "dry_run": dry_run,
        "added": [_key(item) for item in plan.added],
        "changed": [{"key": _key(new), "old": old, "new": new} for old, new in plan.changed],
        "removed": [_key(item) for item in plan.removed],
        "kept": [_key(item) for item in plan.kept],
        "written": written,
        "conflict": conflict,
    }
    if as_json:
        print_json(summary)
    else:
        _print_plan(plan, prune=prune)
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


def _apply(table: Any, plan: routes_file.Plan) -> tuple[int, str | None]:
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


def _key(item: dict[str, Any]) -> str:
    return f"{item[NUMBER]}/{item[RULE_ID]}"


def _print_plan(plan: routes_file.Plan, *, prune: bool) -> None:
    for item in plan.added:
        console.print(f"[green]+ {_key(item)}[/green] {_attributes(item)}", highlight=False)
    for old, new in plan.changed:
        console.print(f"[yellow]~ {_key(new)}[/yellow]", highlight=False)
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                console.print(
                    f"    {name}: {_plain(old.get(name))} -> {_plain(new.get(name))}", highlight=False
                )
    for item in plan.removed:
        console.print(f"[red]- {_key(item)}[/red]", highlight=False)
    if plan.kept and not prune:
        console.print(f"{len(plan.kept)} item(s) not in the file left as they are (--prune deletes them)")


def _plain(value: Any) -> str:
    """A table value as a person writes it: 60, not Decimal('60'); a set as a, b."""
    if value is None:
        return "(none)"
    if isinstance(value, set | frozenset):
        return ", ".join(sorted(map(str, value)))
    return str(value) if not isinstance(value, str) else repr(value)


def _attributes(item: dict[str, Any]) -> str:
    return ", ".join(
        f"{k}={','.join(sorted(v)) if isinstance(v, set) else v}"
        for k, v in item.items()
        if k not in (NUMBER, RULE_ID)
    )
