"""The values the XOXZO client takes and gives: settings, credentials, numbers, subscriptions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from xoxzo_din.xoxzo.errors import XoxzoCredentialsError

# Timeouts and retries: these defaults are the ONE place they are written (ClientSettings and
# XoxzoClient both use them). Worst case of one call: 4 x (3.05 + 15) s plus backoffs of at most
# 0.5 + 1 + 2 s, about 76 s; a deadline cuts that short.
DEFAULT_CONNECT_TIMEOUT: Final = 3.05
DEFAULT_READ_TIMEOUT: Final = 15.0
DEFAULT_MAX_ATTEMPTS: Final = 4
DEFAULT_BACKOFF_BASE: Final = 0.5
DEFAULT_BACKOFF_MAX: Final = 8.0

# The placeholder that template.yaml puts in the credentials secret.
PLACEHOLDER: Final = "REPLACE_ME"

# din_uids look like "JPafr34rafic76tf". Accept URL-unreserved characters only, starting with a
# letter or digit (so "." and ".." can never become a path segment).
DIN_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")


@dataclass(frozen=True)
class ClientSettings:
    """Timeouts and retries of a XoxzoClient (the defaults are XoxzoClient's own)."""

    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff_base: float = DEFAULT_BACKOFF_BASE
    backoff_max: float = DEFAULT_BACKOFF_MAX

    @property
    def attempt_seconds(self) -> float:
        """The longest one attempt can take (connect, then read)."""
        return self.connect_timeout + self.read_timeout


# Frozen: safe as a shared default.
DEFAULT_SETTINGS: Final = ClientSettings()


@dataclass(frozen=True)
class XoxzoCredentials:
    """An API user's SID and auth token (HTTP Basic user and password)."""

    sid: str
    auth_token: str = field(repr=False)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> XoxzoCredentials:
        """Read {"sid": ..., "auth_token": ...} (the Secrets Manager secret's JSON).

        Raises XoxzoCredentialsError naming the bad keys (never their values) when a key is missing,
        not a string, empty, or still the "REPLACE_ME" placeholder.
        """
        problems: list[str] = []
        values: dict[str, str] = {}
        for key in ("sid", "auth_token"):
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{key} is missing or empty")
            elif value.strip() == PLACEHOLDER:
                problems.append(f"{key} is still the {PLACEHOLDER} placeholder")
            else:
                values[key] = value.strip()
        if problems:
            raise XoxzoCredentialsError("XOXZO credentials unusable: " + "; ".join(problems))
        return cls(sid=values["sid"], auth_token=values["auth_token"])


@dataclass(frozen=True)
class AvailableDin:
    """A number in XOXZO's pool that can be subscribed."""

    din_uid: str
    number: str  # E.164 with "+", e.g. "+815012345678"
    country_code: str  # "81"
    prefix: str  # local area prefix without the trunk 0, e.g. "50", "3"
    monthly_cost: float  # credits
    minute_cost: float  # credits


@dataclass(frozen=True)
class Subscription:
    """A number this account subscribes to."""

    din_uid: str
    number: str | None  # E.164 when XOXZO gave "din" (field not confirmed), else None
    action_url: str | None  # item["action"]["url"] when present
    # The available-DIN item's fields, when a subscription item carries them too (not confirmed):
    # None when absent or unusable.
    monthly_cost: float | None = None  # credits
    minute_cost: float | None = None
    country_code: str | None = None  # "81"
    prefix: str | None = None  # local area prefix without the trunk 0, e.g. "3"


def validate_din_uid(din_uid: str) -> str:
    """Return `din_uid` if it is safe as one URL path segment; raise ValueError otherwise."""
    if not isinstance(din_uid, str) or not DIN_UID.fullmatch(din_uid):
        raise ValueError(f"not a valid din_uid: {din_uid!r}")
    return din_uid
