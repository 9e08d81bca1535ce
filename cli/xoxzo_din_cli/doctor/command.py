"""`xoxzo-din doctor`: XOXZO's troubleshooting checklist, automated, for every number a stack holds.

Each check is pass, warn or fail, with the reason and the fix: the stack's own (checks.py), then
each number's (number_checks.py). Network checks (the action URL, MP3 files: web.py) run
concurrently, a bounded number at a time, each with a short timeout, so tens of numbers take
seconds. XOXZO is only reached through the ProvisioningFunction (its `list` operation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from xoxzo_din.phone import to_e164
from xoxzo_din.routing.settings import PREVIOUS_SECRET_ENV, SECRET_ENV, ActionSettings
from xoxzo_din.tables.routes import read_routes
from xoxzo_din_cli import provisioning_client
from xoxzo_din_cli.common import EXIT_PROBLEMS, Target, console, errors, fail, fallback_of, print_json
from xoxzo_din_cli.doctor.checks import FAIL, PASS, STACK, WARN, Check, Stack, stack_checks
from xoxzo_din_cli.doctor.number_checks import number_checks
from xoxzo_din_cli.doctor.web import Response, http_get
from xoxzo_din_cli.provisioning_client import OperationError

PARALLEL = 8
STYLES = {PASS: "green", WARN: "yellow", FAIL: "red"}


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
        listing = listing_by_number(provisioning_client.invoke(stack, {"operation": "list"}))
    except OperationError as error:
        list_error = error
    try:
        environment, configured_at = stack.action_environment()
    except Exception as error:
        errors.print(f"warning: the action function's configuration cannot be read ({error})", style="yellow")
        environment, configured_at = {}, None
    valid = set(ActionSettings.from_environment(environment).secrets)
    facts = Stack(
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
    checks = run(facts, wanted)
    counts = {status: sum(1 for check in checks if check.status == status) for status in STYLES}
    held = len({check.number for check in checks} - {STACK})
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
    if counts[FAIL]:
        raise typer.Exit(EXIT_PROBLEMS)


def run(
    stack: Stack,
    numbers: Sequence[str] | None,
    *,
    get: Callable[..., Response] = http_get,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[Check]:
    """Every check, stack first, then each number (those named, or every number the stack holds)."""
    checks = stack_checks(stack, get, now())
    held = sorted(stack.listing or {}) if numbers is None else list(numbers)
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        for each in pool.map(lambda number: number_checks(stack, number, get, now), held):
            checks += each
    return checks


def listing_by_number(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The list operation's numbers, by E.164 (numbers XOXZO gave no number for are left out)."""
    return {entry["number"]: entry for entry in result.get("numbers", []) if entry.get("number")}
