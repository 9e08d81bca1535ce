"""`doctor`: XOXZO's troubleshooting checklist, automated, for every number a stack holds.

Each check is pass, warn or fail, with the reason and the fix. Network checks (the action URL, MP3
files) run concurrently, a bounded number at a time, each with a short timeout, so tens of numbers
take seconds. XOXZO is only reached through the ProvisioningFunction (its `list` operation).
"""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from xoxzo_din.canary.probe import probe
from xoxzo_din.route_checks.check import ERROR, check_routes, missing_global_default
from xoxzo_din.routes_table.snapshot import Routes
from xoxzo_din.routing.actions import Action, Playback, Voicemail
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din_cli.provisioning_client import OperationError

PASS, WARN, FAIL = "pass", "warn", "fail"
STACK = "(stack)"
TIMEOUT_SECONDS = 5.0
PARALLEL = 8
# A second (inactive slot's) secret accepted for longer than this is a rotation someone forgot to finish.
ROTATION_DAYS = 7
# An answer slower than this fails the check, as it would the canary.
SLOW_MILLISECONDS = 3000.0


@dataclass(frozen=True)
class Check:
    number: str  # E.164, or "(stack)" for the stack's own checks
    name: str
    status: str
    reason: str
    fix: str = ""


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


@dataclass(frozen=True)
class Stack:
    """What doctor knows of the stack, gathered once before the checks."""

    action_base_url: str  # the ActionUrl output: .../action/
    secret: str | None
    previous_secret: str | None
    configured_at: datetime | None  # when the action function's configuration last changed
    listing: dict[str, dict[str, Any]] | None  # number -> list entry; None when list failed
    list_error: OperationError | None
    routes: Routes
    fallback: Action


def run(
    stack: Stack,
    numbers: Sequence[str] | None,
    *,
    get: Callable[..., Response] = http_get,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[Check]:
    """Every check, stack first, then each number (those named, or every number the stack holds)."""
    checks = _stack_checks(stack, get, now())
    held = sorted(stack.listing or {}) if numbers is None else list(numbers)
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        for number_checks in pool.map(lambda number: _number_checks(stack, number, get, now), held):
            checks += number_checks
    return checks


def _stack_checks(stack: Stack, get: Callable[..., Response], now: datetime) -> list[Check]:
    checks: list[Check] = []
    if stack.list_error is None:
        checks.append(
            Check(STACK, "credentials", PASS, "XOXZO accepted the credentials (the list operation worked)")
        )
    else:
        checks.append(
            Check(STACK, "credentials", FAIL, stack.list_error.sentence(), stack.list_error.next_step)
        )
    global_routes = parse_number_routes(stack.routes.global_items, global_partition=True)
    if (missing := missing_global_default(global_routes)) is not None:
        checks.append(Check(STACK, "global default", FAIL, missing.problem, missing.fix))
    else:
        checks.append(Check(STACK, "global default", PASS, "the item number=*, rule_id=default is readable"))
    checks.append(_wrong_secret(stack, get))
    checks.append(_previous_secret(stack, get, now))
    checks.append(
        Check(
            STACK,
            "credit",
            WARN,
            "cannot be verified: XOXZO's DIN API has no balance endpoint "
            "(docs/reference/xoxzo-din-api.md#credit-and-billing)",
            "check the balance in XOXZO's dashboard",
        )
    )
    return checks


def _wrong_secret(stack: Stack, get: Callable[..., Response]) -> Check:
    wrong = secrets.token_urlsafe(32)
    answer = get(f"{stack.action_base_url}{wrong}?caller=&recipient=0")
    if answer.status in (403, 404):
        # 404: API Gateway has no such route (every route is a secret); 403: the function refused it.
        return Check(STACK, "wrong secret refused", PASS, f"a wrong secret answers {answer.status}")
    return Check(
        STACK,
        "wrong secret refused",
        FAIL,
        f"a wrong secret answered {answer.status or answer.error}",
        "check the API and the ActionSecretA/ActionSecretB parameters",
    )


def _previous_secret(stack: Stack, get: Callable[..., Response], now: datetime) -> Check:
    if not stack.previous_secret:
        return Check(
            STACK, "second secret", PASS, "the inactive slot holds no secret (no rotation under way)"
        )
    answer = get(f"{stack.action_base_url}{stack.previous_secret}?caller=&recipient=0")
    since = stack.configured_at
    accepted = (
        "is still accepted"
        if answer.status == 200
        else f"is set (it answered {answer.status or answer.error})"
    )
    if since is not None and now - since > timedelta(days=ROTATION_DAYS):
        return Check(
            STACK,
            "second secret",
            WARN,
            f"the inactive slot's secret {accepted}, since {since:%Y-%m-%d}: the rotation was never finished",
            "set the inactive slot (ActionSecretA or ActionSecretB) to none once no number uses it",
        )
    return Check(
        STACK, "second secret", PASS, f"the inactive slot's secret {accepted}: a rotation is under way"
    )


def _number_checks(
    stack: Stack, number: str, get: Callable[..., Response], now: Callable[[], datetime]
) -> list[Check]:
    checks = [*_subscription_checks(stack, number), _answer_check(stack, number, get, now)]
    findings = check_routes(stack.routes, numbers=[number], fallback=stack.fallback, now=now())
    own = [f for f in findings if f.number == number]
    routes = [f for f in own if f.attribute not in ("url", "to")]
    errors = [f for f in routes if f.severity == ERROR]
    if errors or routes:
        first = (errors or routes)[0]
        checks.append(
            Check(
                number,
                "routes check",
                FAIL if errors else WARN,
                f"{len(errors)} error(s), {len(routes) - len(errors)} warning(s); first: {first.rule_id} "
                f"{first.attribute}: {first.problem}",
                f"{first.fix} (xoxzo-din routes check {number})",
            )
        )
    else:
        checks.append(Check(number, "routes check", PASS, "every item is read as written"))
    transfers = [f for f in own if f.attribute == "to"]
    checks.append(
        Check(number, "transfer targets", FAIL, transfers[0].problem, transfers[0].fix)
        if transfers
        else Check(number, "transfer targets", PASS, "every transfer target is a valid number")
    )
    checks.append(_mp3_check(stack, number, [f.problem for f in own if f.attribute == "url"], get))
    return checks


def _subscription_checks(stack: Stack, number: str) -> list[Check]:
    if stack.listing is None:
        return [
            Check(
                number, "subscribed", FAIL, "unknown: the list operation failed", "see the credentials check"
            )
        ]
    entry = stack.listing.get(number)
    if entry is None:
        return [
            Check(
                number,
                "subscribed",
                FAIL,
                "neither XOXZO nor this stack lists it",
                "subscribe it (xoxzo-din numbers subscribe), or check the number",
            )
        ]
    drift = entry["drift"]
    checks = []
    if entry["at_xoxzo"] and entry["status"] == "active":
        checks.append(
            Check(number, "subscribed", PASS, f"subscribed at XOXZO and recorded here ({entry['din_uid']})")
        )
    else:
        where = "only at XOXZO" if entry["status"] is None else f"recorded here as {entry['status']}"
        state = "subscribed at XOXZO" if entry["at_xoxzo"] else "not subscribed at XOXZO"
        checks.append(Check(number, "subscribed", FAIL, f"{state}, {where}", "run xoxzo-din numbers sync"))
    if "action_url_not_this_stack" in drift:
        checks.append(
            Check(
                number,
                "action URL at XOXZO",
                FAIL,
                f"XOXZO calls {entry['action_url_at_xoxzo']}, not this stack's action URL",
                f"xoxzo-din numbers set-action-url {entry['din_uid']}",
            )
        )
    elif "action_url_differs" in drift:
        checks.append(
            Check(
                number,
                "action URL at XOXZO",
                WARN,
                "this stack's URL, but not the one recorded here",
                "run xoxzo-din numbers sync",
            )
        )
    else:
        checks.append(Check(number, "action URL at XOXZO", PASS, "XOXZO calls this stack's action URL"))
    return checks


def _answer_check(
    stack: Stack, number: str, get: Callable[..., Response], now: Callable[[], datetime]
) -> Check:
    name = "action URL answers"
    if not stack.secret:
        return Check(
            number,
            name,
            FAIL,
            "the action secret could not be read",
            "allow lambda:GetFunctionConfiguration on the action function, or check ActiveActionSecret",
        )

    def fetch(url: str) -> tuple[int | None, str, str]:
        answer = get(url)
        return answer.status, answer.content_type, answer.body if answer.status is not None else answer.error

    # The canary's probe: the same GET, the same comparison with the routes (its call is marked
    # canary=1, so call reports do not count it).
    result = probe(
        fetch,
        f"{stack.action_base_url}{stack.secret}",
        number,
        items=stack.routes.items_of(number),
        global_items=stack.routes.global_items,
        fallback=stack.fallback,
        slow_milliseconds=SLOW_MILLISECONDS,
        now=now,
    )
    if result.ok:
        return Check(number, name, PASS, f"{result.reason} (caller {result.caller})")
    return Check(number, name, FAIL, result.reason, "see the reason: the API, its secret, or the routes")


def _mp3_check(stack: Stack, number: str, url_problems: list[str], get: Callable[..., Response]) -> Check:
    urls = sorted(_playback_urls(stack.routes.items_of(number)))
    if not urls:
        return Check(number, "MP3 files", PASS, "no MP3 in its routes")
    for url in urls:
        answer = get(url, method="HEAD")
        if answer.status in (405, 501):  # no HEAD: the first bytes instead
            answer = get(url, headers={"Range": "bytes=0-1023"})
        if answer.status is None:
            return Check(
                number,
                "MP3 files",
                FAIL,
                f"{url}: {unreachable(url, answer.error)}; XOXZO must be able to fetch the file to play it",
                "put the file on a host XOXZO can reach, or fix the url",
            )
        if answer.status not in (200, 206):
            return Check(
                number,
                "MP3 files",
                FAIL,
                f"{url} answered {answer.status}{_STATUS_WORDS.get(answer.status, '')}: XOXZO could not"
                " fetch the file to play it",
                "put the file there, or fix the url",
            )
        if not answer.content_type.startswith(("audio/", "application/octet-stream")):
            return Check(
                number,
                "MP3 files",
                FAIL,
                f"{url} is {answer.content_type or 'untyped'}, not audio",
                "serve it as audio/mpeg",
            )
    if url_problems:
        return Check(number, "MP3 files", WARN, url_problems[0], "see XOXZO's advice for MP3 URLs")
    return Check(number, "MP3 files", PASS, f"{len(urls)} MP3 file(s) answer as audio")


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
_STATUS_WORDS = {401: " (login needed)", 403: " (forbidden)", 404: " (not found)", 410: " (gone)"}


def unreachable(url: str, error: str) -> str:
    """Why a GET of `url` got no answer, in plain words."""
    host = urlsplit(url).hostname or url
    lowered = error.lower()
    for needles, words in _NETWORK_WORDS:
        if any(needle in lowered for needle in needles):
            return words.format(host=host, seconds=TIMEOUT_SECONDS)
    return f"no answer from {host} ({error or 'the connection failed'})"


def _playback_urls(items: Iterable[dict[str, Any]]) -> set[str]:
    parsed = parse_number_routes(list(items))
    actions = [rule.action for rule in parsed.rules] + ([parsed.default] if parsed.default else [])
    urls = set()
    for action in actions:
        greeting = action.greeting if isinstance(action, Voicemail) else action
        if isinstance(greeting, Playback):
            urls.add(greeting.url)
    return urls


def listing_by_number(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The list operation's numbers, by E.164 (numbers XOXZO gave no number for are left out)."""
    return {entry["number"]: entry for entry in result.get("numbers", []) if entry.get("number")}
