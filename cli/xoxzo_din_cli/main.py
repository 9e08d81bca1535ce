"""xoxzo-din: see, check and change what callers hear, from the command line.

Every command works on one stack: the local one of `make local` (the default), or a deployed one
(`--config-env dev`, or `--stack-name NAME --region REGION`). How to use it:
docs/how-to/see-what-callers-hear.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from botocore.exceptions import BotoCoreError, ClientError

from xoxzo_din_cli import (
    calls_command,
    doctor_command,
    history_commands,  # noqa: F401 - registers routes history and restore
    numbers_commands,
    routes_commands,
)
from xoxzo_din_cli.common import EXIT_STACK, Target, errors
from xoxzo_din_cli.stack import DEFAULT_LOCAL_URL

app = typer.Typer(
    name="xoxzo-din",
    help=__doc__,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,  # a bug's traceback must not print variables (secrets)
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def main(
    context: typer.Context,
    *,
    local: Annotated[
        str, typer.Option("--local", help="The local stack's invoke endpoint (make local).")
    ] = DEFAULT_LOCAL_URL,
    config_env: Annotated[
        str | None, typer.Option("--config-env", help="A samconfig.toml environment, e.g. dev.")
    ] = None,
    config_file: Annotated[Path, typer.Option("--config-file", help="The SAM configuration file.")] = Path(
        "samconfig.toml"
    ),
    stack_name: Annotated[str | None, typer.Option("--stack-name", help="A deployed stack's name.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="The deployed stack's AWS region.")] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="The AWS profile to use.")] = None,
) -> None:
    """Choose the stack; a subcommand does the work."""
    context.obj = Target(
        local_url=local,
        config_env=config_env,
        config_file=config_file,
        stack_name=stack_name,
        region=region,
        profile=profile,
    )


app.add_typer(routes_commands.app, name="routes")  # history_commands adds history and restore to it
app.add_typer(numbers_commands.app, name="numbers")
app.command(name="doctor")(doctor_command.doctor_command)
app.command(name="calls")(calls_command.calls_command)


def run() -> None:
    """The console script. An AWS error after the stack was found (a missing table, access
    denied, expired credentials) is one line and exit status 3, not a traceback."""
    try:
        app()
    except (BotoCoreError, ClientError) as error:
        errors.print(f"error: AWS refused or failed: {error}", style="red", highlight=False, soft_wrap=True)
        sys.exit(EXIT_STACK)
