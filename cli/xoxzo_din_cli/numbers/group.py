"""`xoxzo-din numbers ...`: search, subscribe, list, set-action-url, cancel and sync, each run by the
ProvisioningFunction (docs/how-to/provision-numbers.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from urllib.parse import urlsplit

import phonenumbers
import typer
from rich.table import Table

from xoxzo_din.route_checks.phone_numbers import country_name
from xoxzo_din_cli import helptext, provisioning_client
from xoxzo_din_cli.common import Target, console, errors, print_json
from xoxzo_din_cli.provisioning_client import OperationError

app = helptext.group(
    "Search, buy, point, list, repair and cancel the numbers you pay for.",
    examples_of=(
        ("xoxzo-din numbers search --prefix 813", "Tokyo 03 numbers XOXZO offers"),
        ("xoxzo-din numbers list", "every number, and what differs"),
    ),
)
# The panels of `numbers --help`, in the order of the task.
BUY_PANEL = "Find and buy"
KEEP_PANEL = "Keep them pointed here"
STOP_PANEL = "Stop paying"
# Every operation is run by the ProvisioningFunction (the module docstring).

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output, for scripts.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
DinUidArgument = Annotated[
    str, typer.Argument(metavar="DIN_UID", help="The number's din_uid, as search or list shows it.")
]

# What list's drift names mean to a person.
FLAGS = {
    "only_at_xoxzo": "only at XOXZO",
    "only_ours": "only here",
    "status_mismatch": "status differs",
    "action_url_differs": "URL not recorded",
    "action_url_not_this_stack": "not this stack",
}


def national(number: str | None) -> str:
    """A number as people in its country write it (03-1234-5678); '' when unknown."""
    if not number:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return number


def host(url: str | None) -> str:
    return (urlsplit(url).hostname or url) if url else ""


def run(context: typer.Context, event: dict[str, Any], *, waiting: str | None = None) -> dict[str, Any]:
    """Invoke the function; on an error answer, one sentence, the problems, and its exit status."""
    target: Target = context.find_object(Target)  # type: ignore[assignment]
    stack = target.stack()
    try:
        with _waiting(waiting):
            return provisioning_client.invoke(stack, event)
    except OperationError as error:
        errors.print(f"error: {error.sentence()}", style="red", highlight=False, soft_wrap=True)
        for problem in error.problems:
            if problem not in error.message:  # the message often is the one problem
                errors.print(f"  - {problem}", highlight=False)
        raise typer.Exit(error.exit_status) from error


@contextmanager
def _waiting(what: str | None) -> Iterator[None]:
    """A spinner with the elapsed time, on a terminal, for operations that take long."""
    if what is None or not errors.is_terminal:
        yield
        return
    with errors.status(what):
        yield


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


def credits(amount: Any) -> str:
    return f"{amount:g} credit{'' if amount == 1 else 's'}"


def country_of(code: Any) -> str:
    """A country by its calling code, as people name it: "Japan (+81)"."""
    try:
        number = int(str(code).removeprefix("+"))
    except ValueError:
        return str(code)
    name = country_name(number)
    return name if name.startswith("+") else f"{name} (+{number})"


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


@helptext.command(
    app,
    "cancel",
    panel=STOP_PANEL,
    examples_of=(
        ("xoxzo-din numbers cancel JPg3nw7pd5xjl8va", "asks you to type the number back"),
        ("xoxzo-din numbers cancel JPg3nw7pd5xjl8va --delete-routes", "and delete its routes"),
    ),
)
def cancel_command(
    context: typer.Context,
    din_uid: DinUidArgument,
    *,
    delete_routes: Annotated[bool, typer.Option("--delete-routes", help="Also delete its routes.")] = False,
    yes: YesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Cancel a number at XOXZO, once you have typed it back.

    You are asked to type the number (or the din_uid) back; the function checks what you typed."""
    confirm = din_uid
    if not yes:
        listed = next(
            (n for n in run(context, {"operation": "list"})["numbers"] if n["din_uid"] == din_uid), None
        )
        shown = (
            f"{national(listed['number'])} ({listed['number']}, {din_uid})"
            if listed and listed["number"]
            else din_uid
        )
        errors.print(
            f"Cancelling {shown} at XOXZO" + (" and deleting its routes" if delete_routes else ""),
            highlight=False,
        )
        confirm = typer.prompt("Type the number (or the din_uid) to confirm", err=True)
    event = {"operation": "cancel", "din_uid": din_uid, "confirm": confirm, "delete_routes": delete_routes}
    result = run(context, event, waiting=f"cancelling {din_uid}...")
    if as_json:
        print_json(result)
        return
    console.print(
        f"{result['outcome']}: {national(result.get('number'))} ({din_uid}); "
        f"{result['routes_deleted']} route item(s) deleted",
        highlight=False,
    )


@helptext.command(
    app,
    "sync",
    panel=KEEP_PANEL,
    examples_of=(
        ("xoxzo-din numbers sync", "repair what differs, and say what was done"),
        ("xoxzo-din numbers sync --adopt JPg3nw7pd5xjl8va", "take over a number another server points at"),
    ),
)
def sync_command(
    context: typer.Context,
    *,
    adopt: Annotated[
        list[str] | None,
        typer.Option("--adopt", metavar="DIN_UID", help="Take over this number (repeatable)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Make this stack's records and XOXZO agree, and say what was repaired.

    It never subscribes or cancels a number."""
    event: dict[str, Any] = {"operation": "sync"}
    if adopt:
        event["adopt"] = adopt
    result = run(context, event, waiting="syncing every number with XOXZO...")
    if as_json:
        print_json(result)
        return
    summary = (
        f"{result['at_xoxzo']} number(s) at XOXZO, {result['recorded']} recorded here, "
        f"{result['in_sync']} in sync"
    )
    if not any(result[key] for key in ("actions", "pending", "errors", "foreign")):
        console.print(f"All in sync: {summary}; nothing to repair.", highlight=False)
        return
    table = Table(title=f"sync: {summary}")
    for column in ("", "number", "din_uid", "what", "detail"):
        table.add_column(column)
    for kind, entries in (
        ("done", result["actions"]),
        ("pending", result["pending"]),
        ("error", result["errors"]),
    ):
        for entry in entries:
            table.add_row(kind, national(entry["number"]), entry["din_uid"], entry["action"], entry["detail"])
    for foreign in result["foreign"]:
        table.add_row(
            "foreign",
            national(foreign["number"]),
            foreign["din_uid"],
            f"points at {foreign['points_to']}",
            foreign["hint"],
        )
    console.print(table)
    if result["errors"]:
        raise typer.Exit(provisioning_client.EXIT_XOXZO)
