"""See, check and change what callers hear, and the numbers you pay for, from the command line.

Every command works on one stack: the local one of `make local` (the default), or a deployed one
(--config-env ENV, or --stack-name NAME --region REGION). Every command has --help with examples;
the guide is docs/how-to/see-what-callers-hear.md.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

import typer
from botocore.exceptions import BotoCoreError, ClientError

from xoxzo_din_cli import calls, numbers, routes
from xoxzo_din_cli.common import EXIT_STACK, Target, errors
from xoxzo_din_cli.doctor.command import doctor_command
from xoxzo_din_cli.helptext import Command, Group, examples
from xoxzo_din_cli.stack import DEFAULT_LOCAL_URL

DISTRIBUTION = "xoxzo-din-on-aws"  # pyproject.toml's project name

app = typer.Typer(
    name="xoxzo-din",
    cls=Group,
    help=__doc__,
    epilog=examples(
        ("xoxzo-din routes explain 03-1234-5678 --caller 090-1234-5678", "what that caller hears now"),
        ("xoxzo-din routes check", "every route of the local stack (make local)"),
        ("xoxzo-din --config-env prod doctor", "a deployed stack, by its samconfig.toml environment"),
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,  # a bug's traceback must not print variables (secrets)
    context_settings={"help_option_names": ["-h", "--help"]},
)


def tool_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from the source tree without `make venv`
        return "unknown (not installed: run make venv)"


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"xoxzo-din {tool_version()}")
        raise typer.Exit


@app.callback()
def main(
    context: typer.Context,
    *,
    local: Annotated[
        str,
        typer.Option(
            "--local", metavar="URL", help="The local stack's invoke endpoint (what make local serves)."
        ),
    ] = DEFAULT_LOCAL_URL,
    config_env: Annotated[
        str | None,
        typer.Option(
            "--config-env", metavar="ENV", help="A deployed stack: its samconfig.toml environment, e.g. dev."
        ),
    ] = None,
    config_file: Annotated[
        Path, typer.Option("--config-file", metavar="FILE", help="The SAM configuration file.")
    ] = Path("samconfig.toml"),
    stack_name: Annotated[
        str | None, typer.Option("--stack-name", metavar="NAME", help="A deployed stack, by its name.")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", metavar="REGION", help="The deployed stack's AWS region.")
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", metavar="PROFILE", help="The AWS profile to use.")
    ] = None,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the tool's version and exit."
        ),
    ] = False,
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


ROUTES_PANEL = "What callers hear"
NUMBERS_PANEL = "The numbers you pay for"
TROUBLE_PANEL = "When something is wrong"
app.add_typer(routes.app, name="routes", rich_help_panel=ROUTES_PANEL)
app.add_typer(numbers.app, name="numbers", rich_help_panel=NUMBERS_PANEL)
app.command(
    name="doctor",
    cls=Command,
    rich_help_panel=TROUBLE_PANEL,
    epilog=examples(
        ("xoxzo-din doctor", "every number of the local stack"),
        ("xoxzo-din --config-env prod doctor 03-1234-5678 --json", "one number of a deployed stack"),
    ),
)(doctor_command)
app.command(
    name="calls",
    cls=Command,
    rich_help_panel=TROUBLE_PANEL,
    epilog=examples(
        ("xoxzo-din --config-env prod calls 03-1234-5678", "the last 7 days"),
        (
            "xoxzo-din --config-env prod calls 03-1234-5678 --since 2026-11-01 --until 2026-11-30",
            "a month",
        ),
    ),
)(calls.calls_command)


def run() -> None:
    """The console script. An AWS error after the stack was found (a missing table, access
    denied, expired credentials) is one line and exit status 3, not a traceback."""
    try:
        app()
    except (BotoCoreError, ClientError) as error:
        errors.print(f"error: AWS refused or failed: {error}", style="red", highlight=False, soft_wrap=True)
        sys.exit(EXIT_STACK)
