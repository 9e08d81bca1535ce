"""`xoxzo-din doctor`: the checks of doctor.py, gathered from the stack and shown."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from xoxzo_din.phone import to_e164
from xoxzo_din.routing.settings import PREVIOUS_SECRET_ENV, SECRET_ENV, ActionSettings
from xoxzo_din_cli import doctor, provisioning_client
from xoxzo_din_cli.common import EXIT_PROBLEMS, Target, console, errors, fail, print_json
from xoxzo_din_cli.provisioning_client import OperationError
from xoxzo_din_cli.routes_commands import fallback_of
from xoxzo_din_cli.routes_table import read_routes

STYLES = {doctor.PASS: "green", doctor.WARN: "yellow", doctor.FAIL: "red"}


def doctor_command(
    context: typer.Context,
    numbers: Annotated[
        list[str] | None,
        typer.Argument(metavar="NUMBER", help="Numbers to check (default: every number the stack holds)."),
    ] = None,
    *,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output, for scripts.")] = False,
) -> None:
    """Run XOXZO's troubleshooting checklist on every number, and say what to fix.

    The checks: the credentials, the global default, the secrets, and for each number its
    subscription, where XOXZO sends its calls, the answer the action URL gives, its routes, transfer
    targets and MP3 files. Exit status 1 when a check fails.
    """
    target: Target = context.find_object(Target)  # type: ignore[assignment]
    stack = target.stack()
    wanted = None
    if numbers:
        wanted = [to_e164(raw) or fail(f"{raw!r} is not a phone number", 2) for raw in numbers]
    listing, list_error = None, None
    try:
        listing = doctor.listing_by_number(provisioning_client.invoke(stack, {"operation": "list"}))
    except OperationError as error:
        list_error = error
    try:
        environment, configured_at = stack.action_environment()
    except Exception as error:
        errors.print(f"warning: the action function's configuration cannot be read ({error})", style="yellow")
        environment, configured_at = {}, None
    valid = set(ActionSettings.from_environment(environment).secrets)
    facts = doctor.Stack(
        action_base_url=stack.output("ActionUrl"),
        secret=environment.get(SECRET_ENV) if environment.get(SECRET_ENV) in valid else None,
        # The other slot's secret (none: no rotation under way).
        previous_secret=environment.get(PREVIOUS_SECRET_ENV)
        if environment.get(PREVIOUS_SECRET_ENV) in valid
        else None,
        configured_at=configured_at,
        listing=listing,
        list_error=list_error,
        routes=read_routes(stack.table("RoutesTableName")),
        fallback=fallback_of(stack),
    )
    checks = doctor.run(facts, wanted)
    counts = {status: sum(1 for check in checks if check.status == status) for status in STYLES}
    held = len({check.number for check in checks} - {doctor.STACK})
    if as_json:
        print_json({"numbers": held, **counts, "checks": checks})
    else:
        table = Table(title=f"doctor: {stack.name}")
        for column in ("number", "check", "", "reason", "fix"):
            table.add_column(column, overflow="fold")
        for check in checks:
            style = STYLES[check.status]
            table.add_row(
                check.number, check.name, f"[{style}]{check.status}[/{style}]", check.reason, check.fix
            )
        console.print(table)
        console.print(
            f"{held} number(s): {counts['pass']} passed, {counts['warn']} warning(s), {counts['fail']} failed"
        )
    if counts[doctor.FAIL]:
        raise typer.Exit(EXIT_PROBLEMS)
