"""`xoxzo-din routes ...`: see, check and change what callers hear (the routes table).

group.py is the group and what its commands share; each command has its module: show.py,
explain.py, calendar.py (its HTML page: calendar_html.py), check.py, export_import.py (the file:
routes_file.py), history.py (history and restore). Importing the package adds them all to `app`.
"""

from xoxzo_din_cli.routes import (  # noqa: F401 - each adds its command to the group
    calendar,
    check,
    explain,
    export_import,
    history,
    show,
)
from xoxzo_din_cli.routes.group import app

__all__ = ["app"]
