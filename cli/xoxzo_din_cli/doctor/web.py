"""What doctor reaches on the web: one GET (or HEAD) with a short timeout, its answer, and why a
fetch got none, in plain words."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Response:
    status: int | None  # None: no answer
    content_type: str
    body: str
    error: str = ""


def http_get(url: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Response:
    request = urllib.request.Request(url, method=method, headers=headers or {})  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return Response(
                answer.status,
                answer.headers.get("Content-Type", ""),
                answer.read(4096).decode("utf-8", "replace"),
            )
    except urllib.error.HTTPError as error:
        return Response(
            error.code, error.headers.get("Content-Type", ""), error.read(4096).decode("utf-8", "replace")
        )
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Response(None, "", "", str(getattr(error, "reason", error)))


# What a failed fetch's error means, in words (the socket library's own words are for programmers).
_NETWORK_WORDS = (
    (
        (
            "name or service not known",
            "nodename nor servname",
            "getaddrinfo",
            "name resolution",
            "no address",
        ),
        "the host {host} could not be found (no such name)",
    ),
    (("connection refused",), "{host} refused the connection (nothing serves that port)"),
    (("timed out", "timeout"), "{host} did not answer within {seconds:g} s"),
    (("certificate", "ssl"), "{host}'s HTTPS certificate could not be verified"),
    (("network is unreachable", "no route to host"), "{host} cannot be reached from here"),
)
STATUS_WORDS = {401: " (login needed)", 403: " (forbidden)", 404: " (not found)", 410: " (gone)"}


def unreachable(url: str, error: str) -> str:
    """Why a GET of `url` got no answer, in plain words."""
    host = urlsplit(url).hostname or url
    lowered = error.lower()
    for needles, words in _NETWORK_WORDS:
        if any(needle in lowered for needle in needles):
            return words.format(host=host, seconds=TIMEOUT_SECONDS)
    return f"no answer from {host} ({error or 'the connection failed'})"
