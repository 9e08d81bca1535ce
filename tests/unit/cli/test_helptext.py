"""The tool's help reads like gh's or Typer's rich help: every command and group has a complete
one-line summary, examples, and its arguments named in words, never by a Python type; commands
are listed in the order of the task."""

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from xoxzo_din_cli.main import app

ROOT: Any = typer.main.get_command(app)  # a group: .commands
PYTHON_TYPES = re.compile(r"<\w+>|\{\w+\}|list\[|\b(?:NoneType|str|int|bool|Path)\b")
ANSI = re.compile(r"\x1b\[")


def paths(command=ROOT, prefix=()):
    yield prefix
    for name, sub in getattr(command, "commands", {}).items():
        yield from paths(sub, (*prefix, name))


ALL = list(paths())


def help_of(*path, columns=100):
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_is_reached():
    names = {" ".join(path) for path in ALL}
    assert {
        "routes show",
        "routes explain",
        "routes check",
        "routes history",
        "numbers sync",
        "doctor",
    } <= names
    assert len(ALL) == 1 + 2 + 8 + 6 + 2  # the tool, two groups, their commands, doctor and calls


@pytest.mark.parametrize("path", ALL, ids=lambda path: " ".join(path) or "xoxzo-din")
def test_every_help_has_a_summary_examples_and_words_for_its_arguments(path):
    text = help_of(*path)
    assert "Examples:" in text
    examples = text[text.index("Examples:") :]
    assert "$ xoxzo-din " in examples
    assert not PYTHON_TYPES.search(text), PYTHON_TYPES.search(text)
    assert not ANSI.search(text)  # colour only on a terminal
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert not re.search(r"\[?[a-z_]+\]?\.\.\.|\{", usage.split("[OPTIONS]")[-1]), usage


@pytest.mark.parametrize("path", [path for path in ALL if path], ids=" ".join)
def test_every_summary_is_one_complete_sentence_shown_whole_in_its_group(path):
    command = ROOT
    for name in path:
        command = command.commands[name]
    summary = (command.help or "").split("\n\n")[0]
    assert summary.endswith(".") and "\n" not in summary and len(summary) <= 90, summary
    listing = " ".join(help_of(*path[:-1], columns=200).split())
    assert " ".join(summary.split()) in listing  # never cut mid-sentence
    assert "..." not in summary


def test_commands_are_listed_in_the_order_of_the_task_and_grouped():
    text = help_of("routes")
    order = [name for name in re.findall(r"│ (\w[\w-]*) ", text) if name in ROOT.commands["routes"].commands]
    assert order == ["show", "explain", "calendar", "check", "export", "import", "history", "restore"]
    assert text.index("See what callers hear") < text.index("Keep and change the routes") < text.index("Undo")
    top = [name for name in re.findall(r"│ (\w+) ", help_of()) if name in ROOT.commands]
    assert top == ["routes", "numbers", "doctor", "calls"]


def test_metavars_are_words():
    assert "Usage: xoxzo-din routes explain [OPTIONS] NUMBER" in help_of("routes", "explain")
    assert "--at" in help_of("routes", "explain") and "TIME" in help_of("routes", "explain")
    assert "[NUMBER]..." in help_of("routes", "check")
    assert "FILE" in help_of("routes", "import") and "DIN_UID" in help_of("numbers", "cancel")
