"""What every command shares: the chosen stack, exit statuses, output to people and to scripts."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console

from xoxzo_din.environment import Environment
from xoxzo_din.routing.actions import Action
from xoxzo_din.routing.settings import FALLBACK_ACTION_ENV, read_fallback
from xoxzo_din_cli.stack import Stack, StackError, deployed_stack, local_stack, samconfig_stack

# Exit statuses (docs/reference/operator-tool.md).
EXIT_OK = 0
EXIT_PROBLEMS = 1  # check found errors; an import file is invalid
EXIT_USAGE = 2  # Click's own, for a wrong option or argument
EXIT_STACK = 3  # the stack cannot be reached or read
EXIT_CONFLICT = 4  # an item changed in the table meanwhile: nothing more was written

console = Console()
errors = Console(stderr=True)


class Target:
    """The stack options, resolved on first use (so --help never needs a stack)."""

    def __init__(
        self,
        *,
        local_url: str,
        config_env: str | None,
        config_file: Path,
        stack_name: str | None,
        region: str | None,
        profile: str | None,
    ) -> None:
        self.local_url, self.config_env, self.config_file = local_url, config_env, config_file
        self.stack_name, self.region, self.profile = stack_name, region, profile
        self._stack: Stack | None = None

    def stack(self) -> Stack:
        if self._stack is None:
            if (self.region or self.profile) and not (self.stack_name or self.config_env):
                fail(
                    "--region and --profile choose a deployed stack: give --stack-name or --config-env too", 2
                )
            try:
                if self.stack_name:
                    self._stack = deployed_stack(self.stack_name, region=self.region, profile=self.profile)
                elif self.config_env:
                    self._stack = samconfig_stack(
                        self.config_env, self.config_file, region=self.region, profile=self.profile
                    )
                else:
                    self._stack = local_stack(self.local_url)
            except StackError as error:
                fail(str(error), EXIT_STACK)
        return self._stack


def fallback_of(stack: Stack) -> Action:
    """The stack's last-resort action, read as the action function reads its FALLBACK_ACTION."""
    return read_fallback(Environment({FALLBACK_ACTION_ENV: stack.parameters.get("FallbackAction", "")}))


def fail(message: str, status: int) -> NoReturn:
    errors.print(f"error: {message}", style="red", highlight=False, soft_wrap=True)
    raise typer.Exit(status)


def print_json(data: Any) -> None:
    def default(value: Any) -> Any:
        if is_dataclass(value) and not isinstance(value, type):
            return asdict(value)
        if isinstance(value, set | frozenset):
            return sorted(value, key=str)
        if isinstance(value, Decimal):  # DynamoDB's numbers: JSON numbers
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, datetime | date):
            return value.isoformat()
        return str(value)

    sys.stdout.write(json.dumps(data, default=default, ensure_ascii=False, indent=2) + "\n")
