"""`xoxzo-din routes ...`: check, explain, calendar, export and import the routes of a stack."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from xoxzo_din.phone import to_e164
from xoxzo_din.provisioning.numbers_table import NumbersStore
from xoxzo_din.route_checks import calendar, check
from xoxzo_din.routes_table.schema import GLOBAL_NUMBER, NUMBER, RULE_ID
from xoxzo_din.routes_table.snapshot import Routes
from xoxzo_din.routing.actions import Action
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.routing.settings import FALLBACK_ACTION_ENV, ActionSettings
from xoxzo_din_cli import calendar_views, explain, routes_file
from xoxzo_din_cli.common import EXIT_CONFLICT, EXIT_PROBLEMS, Target, console, errors, fail, print_json
from xoxzo_din_cli.routes_table import ConcurrentEditError, delete_item, read_routes, write_item
from xoxzo_din_cli.stack import Stack

app = typer.Typer(help="See and change what callers hear: the RoutesTable.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


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


@app.command(
    name="check",
    epilog="Examples:\n\n  xoxzo-din routes check\n\n  xoxzo-din routes check 03-1234-5678 --json\n\n"
    "  xoxzo-din --config-env prod routes check",
)
def check_command(
    context: typer.Context,
    numbers: Annotated[list[str] | None, typer.Argument(help="Numbers to check (default: all).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Read every route item as the action function reads it; report errors and warnings.

    Exit status 1 when any item has an error (the function skips it)."""
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
        table = Table(title=f"routes check: {target.stack().name}")
        for column in ("", "number", "rule", "attribute", "problem", "fix"):
            table.add_column(column, overflow="fold")
        for finding in findings:
            mark = "[red]error[/red]" if finding.severity == check.ERROR else "[yellow]warning[/yellow]"
            table.add_row(
                mark, finding.number, finding.rule_id, finding.attribute, finding.problem, finding.fix
            )
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


@app.command(
    name="explain",
    epilog="Examples:\n\n"
    "  xoxzo-din routes explain 03-1234-5678 --caller 090-1234-5678 --at 2026-12-02T12:15\n\n"
    "  xoxzo-din routes explain +81312345678 --caller anonymous --at 2026-11-23T10:00+09:00 --json",
)
def explain_command(
    context: typer.Context,
    number: Annotated[str, typer.Argument(help="The called number (the DIN).")],
    caller: Annotated[
        str, typer.Option("--caller", help="Who calls, as XOXZO sends it ('' or anonymous: hidden).")
    ] = "",
    at: Annotated[
        str | None,
        typer.Option("--at", help="When: local time of the number, or with an offset; default now."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """What the action function answers a call, which item decided it, and why each earlier rule did not."""
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


@app.command(
    name="calendar",
    epilog="Examples:\n\n  xoxzo-din routes calendar 03-1234-5678\n\n"
    "  xoxzo-din routes calendar 03-1234-5678 --period year --start 2026-01-01\n\n"
    "  xoxzo-din routes calendar 03-1234-5678 --html calendar.html",
)
def calendar_command(
    context: typer.Context,
    *,
    number: Annotated[str, typer.Argument(help="The called number (the DIN).")],
    period: Annotated[str, typer.Option("--period", help="week, month or year.")] = "week",
    start: Annotated[
        str | None, typer.Option("--start", help="First day (YYYY-MM-DD); default today.")
    ] = None,
    html_file: Annotated[
        Path | None, typer.Option("--html", help="Also write a printable page (a week and its year).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Which rule decides, minute by minute, for each class of caller the rules name."""
    called = _number(number, global_allowed=False)
    routes = _routes(context)
    parsed = parse_number_routes(routes.items_of(called))
    global_parsed = parse_number_routes(routes.global_items, global_partition=True)
    zone = calendar.number_zone(parsed)
    try:
        first = date.fromisoformat(start) if start else datetime.now(zone).date()
    except ValueError:
        fail(f"--start {start!r} is not a date such as 2026-12-01", 2)
    if period not in ("week", "month", "year"):
        fail("--period must be week, month or year", 2)
    begin = datetime.combine(first, time(), zone)
    last = period_end(first, period)
    end = datetime.combine(last, time(), zone)
    fallback = _fallback(context)
    classes = calendar.caller_classes(parsed)
    by_class = [
        (
            caller_class,
            calendar.segments(
                parsed, global_parsed, fallback, caller=caller_class.caller, start=begin, end=end
            ),
        )
        for caller_class in classes
    ]
    legend = calendar_views.Legend.of(segments for _, segments in by_class)
    holidays = calendar_views.holidays_of(parsed, calendar.days(first, last))
    if html_file is not None:
        _write_html(
            html_file,
            called,
            parsed=parsed,
            global_parsed=global_parsed,
            fallback=fallback,
            classes=classes,
            first=first,
            zone=zone,
        )
    if as_json:
        print_json(
            {
                "number": called,
                "timezone": zone.key,
                "classes": [
                    {
                        "class": caller_class.label,
                        "caller": caller_class.caller,
                        "segments": [
                            {
                                "start": s.start.isoformat(),
                                "end": s.end.isoformat(),
                                "decided_by": s.decided_by,
                                "line": s.line,
                            }
                            for s in segments
                        ],
                    }
                    for caller_class, segments in by_class
                ],
            }
        )
        return
    console.print(calendar_views.legend_table(legend))
    for caller_class, segments in by_class:
        console.print(calendar_views.terminal_grid(caller_class, segments, legend, holidays))
    if html_file is not None:
        console.print(f"wrote {html_file}")


def period_end(first: date, period: str) -> date:
    """The day after a week, a calendar month or a year that begins on `first`."""
    if period == "week":
        return first + timedelta(days=7)
    years, month = (first.year + 1, first.month) if period == "year" else divmod(first.month, 12)
    if period == "month":
        years, month = first.year + years, month + 1
    for day in range(first.day, 27, -1):  # 31 January + 1 month: 28 (or 29) February
        try:
            return date(years, month, day)
        except ValueError:
            continue
    return date(years, month, min(first.day, 28))


def _write_html(
    path: Path,
    number: str,
    *,
    parsed: Any,
    global_parsed: Any,
    fallback: Action,
    classes: list[calendar.CallerClass],
    first: date,
    zone: Any,
) -> None:
    week_begin = datetime.combine(first, time(), zone)
    week_end = week_begin + timedelta(days=7)
    year_begin = datetime.combine(first.replace(month=1, day=1), time(), zone)
    year_end = datetime.combine(first.replace(year=first.year + 1, month=1, day=1), time(), zone)
    sections = [
        (
            caller_class,
            calendar.segments(
                parsed, global_parsed, fallback, caller=caller_class.caller, start=week_begin, end=week_end
            ),
            calendar.segments(
                parsed, global_parsed, fallback, caller=caller_class.caller, start=year_begin, end=year_end
            ),
        )
        for caller_class in classes
    ]
    legend = calendar_views.Legend.of(segments for _, week, year in sections for segments in (week, year))
    all_days = list(calendar.days(year_begin.date(), year_end.date())) + list(
        calendar.days(week_begin.date(), week_end.date())
    )
    holidays = calendar_views.holidays_of(parsed, all_days)
    page = calendar_views.html_page(
        f"What callers of {number} hear ({zone.key})",
        sections,
        legend,
        holidays,
        calendar_views.labels_of(parsed),
    )
    path.write_text(page, encoding="utf-8")


@app.command(
    name="export",
    epilog="Examples:\n\n  xoxzo-din routes export > routes.yaml\n\n"
    "  xoxzo-din routes export 03-1234-5678 -o office.yaml",
)
def export_command(
    context: typer.Context,
    numbers: Annotated[
        list[str] | None, typer.Argument(help="Numbers to export (default: all, and *).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
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


@app.command(
    name="import",
    epilog="Examples:\n\n  xoxzo-din routes import routes.yaml --dry-run\n\n"
    "  xoxzo-din routes import routes.yaml --prune",
)
def import_command(
    context: typer.Context,
    *,
    file: Annotated[
        Path, typer.Argument(help="A YAML file written by export (or by hand).", exists=True, dir_okay=False)
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes, write nothing.")] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Also delete the file's numbers' items it no longer has.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Make the table say what the file says: the whole file is checked first, nothing is written
    if anything is wrong, and an item edited meanwhile (in the console) is reported, never overwritten."""
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
