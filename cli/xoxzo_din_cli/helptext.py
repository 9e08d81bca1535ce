"""How the tool's help reads: like gh, the AWS CLI or Typer's rich help. Commands are listed in the
order of the task and grouped in panels, each with a one-line summary; arguments and option values
are named in words (NUMBER, TIME), never by their Python type; every command ends with examples.

Typer shows a parameter's type (`<str>`, `{number}`) next to it; the command classes here show the
metavar instead, reflow the help into paragraphs (so it wraps at any terminal width) and read it
as plain text (a `[` in it is never taken for Rich markup).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import typer
from rich.markup import escape
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

# Every command and group, in the order of the task: look, then change, then undo; find and buy,
# then keep, then stop; then what to run when something is wrong.
TASK_ORDER = (
    "routes",
    "numbers",
    "doctor",
    "calls",
    "show",
    "explain",
    "calendar",
    "check",
    "export",
    "import",
    "history",
    "restore",
    "search",
    "subscribe",
    "list",
    "set-action-url",
    "sync",
    "cancel",
)
_SINGLE_NEWLINE = re.compile(r"(?<!\n)\n(?!\n)")


def reflowed(text: str | None) -> str | None:
    """Help text as paragraphs: a single line break is a space (the terminal wraps), a blank line
    separates paragraphs; Rich markup characters escaped."""
    if not text:
        return text
    return escape(_SINGLE_NEWLINE.sub(" ", text.strip()))


class _Argument(TyperArgument):
    """An argument shown by its metavar (NUMBER), without a type."""

    def _words(self) -> str:
        return self.metavar or (self.name or "").upper()

    @property
    def display_name_raw(self) -> str:
        return self._words() + ("..." if self.nargs != 1 else "")

    def _rich_display_name(self) -> str:
        return self.display_name_raw

    def _usage_display_name(self) -> str:
        name = self._words() if self.required else f"[{self._words()}]"
        return name + ("..." if self.nargs != 1 else "")

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class _Option(TyperOption):
    """An option shown with its metavar (--at TIME); a flag with nothing."""

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        return self.metavar or (self.name or "value").upper()


def _in_words(params: list[Any]) -> list[Any]:
    for param in params:
        if isinstance(param, TyperArgument) and not isinstance(param, _Argument):
            param.__class__ = _Argument
            param.help = reflowed(param.help)
        elif isinstance(param, TyperOption) and not isinstance(param, _Option):
            param.__class__ = _Option
            param.help = reflowed(param.help)
    return params


def _task_index(name: str) -> int:
    return TASK_ORDER.index(name) if name in TASK_ORDER else len(TASK_ORDER)


class _InWords:
    """What commands and groups share: help text reflowed, values named in words."""

    help: str | None
    short_help: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = reflowed(self.help)
        self.short_help = reflowed(self.short_help)

    def get_params(self, ctx: Any) -> list[Any]:
        return _in_words(super().get_params(ctx))  # type: ignore[misc]


class Command(_InWords, TyperCommand):
    """A command whose help reads in words (see the module)."""


class Group(_InWords, TyperGroup):
    """A group of commands listed in the order of the task, in panels, with examples."""

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted(super().list_commands(ctx), key=_task_index)


def examples(*lines: tuple[str, str]) -> str:
    """The epilog of a command: each example, what it does above it (as gh prints them)."""
    shown = [f"# {what}\n$ {command}" if what else f"$ {command}" for command, what in lines]
    return escape("Examples:\n\n" + "\n\n".join(shown))


def command(
    app: typer.Typer, name: str, *, panel: str, examples_of: Sequence[tuple[str, str]]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`app.command`, with this module's help: a panel of the task and examples."""
    return app.command(name=name, cls=Command, rich_help_panel=panel, epilog=examples(*examples_of))


def group(help_text: str, *, examples_of: Sequence[tuple[str, str]]) -> typer.Typer:
    """A group of commands (`routes`, `numbers`) with this module's help."""
    return typer.Typer(
        cls=Group,
        help=help_text,
        epilog=examples(*examples_of),
        no_args_is_help=True,
        rich_markup_mode="rich",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
