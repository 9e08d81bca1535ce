"""`python -m xoxzo_din_cli`: the same as the `xoxzo-din` command."""

from xoxzo_din_cli.main import run

run()
