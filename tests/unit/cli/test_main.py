"""--version answers with the installed tool's version."""

import re

from typer.testing import CliRunner

from xoxzo_din_cli.main import app, tool_version


def test_version_is_printed():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"xoxzo-din {tool_version()}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", tool_version())
