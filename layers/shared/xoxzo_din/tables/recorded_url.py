"""The action URL as the numbers table keeps it: without its secret. The last path segment (the
secret) becomes its first four characters, `***` and 16 hex digits of its SHA-256, enough to tell
whether XOXZO's URL is the one we set, useless for calling the action server
(docs/reference/numbers-table.md).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

# Characters of the secret shown: here, and in answers and logs (results.redact_url).
SHOWN_SECRET_CHARS = 4
_RECORDED_SEGMENT = re.compile(r"[^/]{0,4}\*\*\*sha256:[0-9a-f]{16}")


def recorded_url(url: str | None) -> str | None:
    """`url` as recorded; a URL already in that form, without a path, or unreadable as it is."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = parts.path.rstrip("/")
    trailing = parts.path[len(path) :]  # kept: a URL with a trailing slash is another URL
    head, slash, secret = path.rpartition("/")
    if not slash or not secret or _RECORDED_SEGMENT.fullmatch(secret):
        return url
    digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]
    shown = f"{secret[:SHOWN_SECRET_CHARS]}***sha256:{digest}"
    return urlunsplit(parts._replace(path=f"{head}/{shown}{trailing}"))
