"""The XOXZO DIN API's endpoints: the ONE place they are written.

Paths, methods and fields: docs/reference/xoxzo-din-api.md (what is confirmed, what is inferred,
and the sources).
"""

from __future__ import annotations

from typing import Final

DEFAULT_BASE_URL: Final = "https://api.xoxzo.com"

# The endpoints (trailing slashes are part of every path).
DINS_PATH: Final = "/voice/dins/"
SUBSCRIPTIONS_PATH: Final = "/voice/dins/subscriptions/"


def subscription_path(din_uid: str) -> str:
    """The path of one subscription; `din_uid` must have passed `validate_din_uid`."""
    return f"{SUBSCRIPTIONS_PATH}{din_uid}/"
