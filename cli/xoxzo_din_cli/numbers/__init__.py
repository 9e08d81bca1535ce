"""`xoxzo-din numbers ...`: search, subscribe, list, set-action-url, cancel and sync, each run by the
ProvisioningFunction (docs/how-to/provision-numbers.md).

group.py is the group and what its commands share; each command has its module (list's is
listing.py). Importing the package adds them all to `app`.
"""

from xoxzo_din_cli.numbers import (  # noqa: F401 - each adds its command to the group
    cancel,
    listing,
    search,
    set_action_url,
    subscribe,
    sync,
)
from xoxzo_din_cli.numbers.group import app

__all__ = ["app"]
