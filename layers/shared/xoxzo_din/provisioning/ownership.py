"""Is this number this stack's? The one place that decides it.

A XOXZO account may serve several stacks. A number is this stack's when our record holds it, or
when XOXZO points it at this stack's API (`points_here`). One that points at another server, or
that has no action URL and no record here, is another stack's until an operator takes it over
(sync's `adopt`): docs/explanation/write-order-and-sync.md.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from xoxzo_din.access import MIN_SECRET_LENGTH
from xoxzo_din.provisioning.errors import ForeignNumberError
from xoxzo_din.tables.numbers import HELD_STATUSES, NumberRecord
from xoxzo_din.xoxzo.models import Subscription

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _url_parts(url: str) -> tuple[str, str, int | None, str] | None:
    """scheme, host, port and path (without a trailing slash) of a URL; None if it is not one."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS.get(scheme), parts.path.rstrip("/")


def points_here(url: str, action_url: str | None) -> bool:
    """Whether a number's action URL at XOXZO is this stack's (`action_url`, its ACTION_URL):
    - the same scheme, host, port and path but for the last segment, the secret (so a rotated
      secret counts), or that path without any secret (the stack's `ActionUrl` output pasted as is);
    - or any URL ending in this stack's secret: the same stack re-created (a new API id) with the
      secret it was told to keep. A secret is at least 32 random characters: no other stack's."""
    mine = _url_parts(action_url) if action_url else None
    theirs = _url_parts(url)
    if mine is None or theirs is None:
        return False
    api_path, _, secret = mine[3].rpartition("/")
    if theirs[:3] == mine[:3] and (theirs[3] == api_path or theirs[3].rpartition("/")[0] == api_path):
        return True
    return len(secret) >= MIN_SECRET_LENGTH and theirs[3].rpartition("/")[2] == secret


def is_action_url_of_this_stack(url: str, action_url: str | None) -> bool:
    """Whether numbers may be pointed at `url` without `force`: this stack's API (scheme, host,
    port and path as ACTION_URL's) with a secret-sized last segment. Stricter than `points_here`,
    which decides which numbers are ours (a URL merely ending in our secret is ours to take back,
    not a place to send calls)."""
    mine = _url_parts(action_url) if action_url else None
    theirs = _url_parts(url)
    if mine is None or theirs is None:
        return False
    api_path = mine[3].rpartition("/")[0]
    path, _, secret = theirs[3].rpartition("/")
    return theirs[:3] == mine[:3] and path == api_path and len(secret) >= MIN_SECRET_LENGTH


def host_of(url: str | None) -> str:
    if not url:
        return "(no action URL)"
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    return host or "(unreadable URL)"


def adopt_hint(din_uid: str) -> str:
    return f'to take it over, run sync with "adopt": ["{din_uid}"]'


def is_foreign(
    record: NumberRecord | None, at_xoxzo: Subscription, action_url: str | None, *, named: bool = False
) -> bool:
    """Not ours to take: no record that holds it, and XOXZO points it at another server. With
    no action URL at all and no record either, it may be another stack's between its
    subscribe and its set-action-url (ours always write their record before the POST): only
    a subscribe naming it (`named`) takes that one."""
    if record is not None and record.status in HELD_STATUSES:
        return False
    if not at_xoxzo.action_url:
        return record is None and not named
    return not points_here(at_xoxzo.action_url, action_url)


def refuse_foreign(
    din_uid: str,
    record: NumberRecord | None,
    at_xoxzo: Subscription,
    action_url: str | None,
    what: str,
    *,
    named: bool = False,
) -> None:
    """ForeignNumberError, saying that nothing was `what`, when the number is another stack's."""
    if not is_foreign(record, at_xoxzo, action_url, named=named):
        return
    ours = f"our record says {record.status}" if record else "no record here"
    where = (
        f"its action URL points at {host_of(at_xoxzo.action_url)}, not this stack's API"
        if at_xoxzo.action_url
        else "it has no action URL yet"
    )
    raise ForeignNumberError(
        f"{din_uid} is subscribed on this XOXZO account ({ours}), and {where}: most likely "
        f"another stack's number. Nothing was {what}; {adopt_hint(din_uid)} first"
    )
