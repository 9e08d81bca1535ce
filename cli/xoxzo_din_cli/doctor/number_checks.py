"""Each number's checks: its subscription and where XOXZO sends its calls, the answer the action
URL gives (the canary's probe), its routes, transfer targets and MP3 files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from xoxzo_din.canary.probe import probe
from xoxzo_din.route_checks.check import ERROR, check_routes
from xoxzo_din.routing.actions import Playback, Voicemail
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din_cli.doctor.checks import FAIL, PASS, WARN, Check, Stack
from xoxzo_din_cli.doctor.web import STATUS_WORDS, Response, unreachable

# An answer slower than this fails the check, as it would the canary.
SLOW_MILLISECONDS = 3000.0


def number_checks(
    stack: Stack, number: str, get: Callable[..., Response], now: Callable[[], datetime]
) -> list[Check]:
    """One number's checks, in the order doctor shows them."""
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
                f"{url} answered {answer.status}{STATUS_WORDS.get(answer.status, '')}: XOXZO could not"
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


def _playback_urls(items: Iterable[dict[str, Any]]) -> set[str]:
    parsed = parse_number_routes(list(items))
    actions = [rule.action for rule in parsed.rules] + ([parsed.default] if parsed.default else [])
    urls = set()
    for action in actions:
        greeting = action.greeting if isinstance(action, Voicemail) else action
        if isinstance(greeting, Playback):
            urls.add(greeting.url)
    return urls
