"""The `numbers` group: its help and panels, and what its commands share: the ProvisioningFunction
invoked (every operation is run by it: docs/how-to/provision-numbers.md), a number as people in its
country write it, costs in credits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import phonenumbers
import typer

from xoxzo_din_cli import helptext, provisioning_client
from xoxzo_din_cli.common import Target, errors
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

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output, for scripts.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
DinUidArgument = Annotated[
    str, typer.Argument(metavar="DIN_UID", help="The number's din_uid, as search or list shows it.")
]


def national(number: str | None) -> str:
    """A number as people in its country write it (03-1234-5678); '' when unknown."""
    if not number:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return number


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


def credits(amount: Any) -> str:
    return f"{amount:g} credit{'' if amount == 1 else 's'}"
