"""One synthetic call through the real action URL, compared with what the routes say for that
moment (the action function's own parsing and decision): the canary, and doctor's check of the
answer. A probe call carries `canary=1`, so the action function logs it apart from real calls and
the call reports never count it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from xoxzo_din.route_checks.calendar import caller_classes
from xoxzo_din.routing.actions import Action, ActionError, parse_action_line, render
from xoxzo_din.routing.decide import CallRoutes, decide
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.routing.rules import Call

CANARY_PARAMETER = "canary"  # the query parameter that marks a probe (the action handler reads it)

# (status or None, content type, body) of a GET; None: no answer (the reason in the body).
Get = Callable[[str], tuple[int | None, str, str]]


@dataclass(frozen=True)
class Probe:
    number: str
    caller: str
    ok: bool
    reason: str
    line: str = ""  # what the action URL answered
    expected: str = ""  # what the routes say
    milliseconds: float = 0.0


def expected_line(
    caller: str,
    at: datetime,
    *,
    items: Sequence[Mapping[str, Any]],
    global_items: Sequence[Mapping[str, Any]],
    fallback: Action,
) -> str:
    """The line the routes give a call from `caller` at `at`."""
    return render(decide(Call.of(caller, at), CallRoutes.of_items(items, global_items), fallback).action)


def probe(
    get: Get,
    action_url: str,
    number: str,
    *,
    items: Sequence[Mapping[str, Any]],
    global_items: Sequence[Mapping[str, Any]],
    fallback: Action,
    slow_milliseconds: float,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    clock: Callable[[], float] = time.monotonic,
) -> Probe:
    """Call `action_url` (with its secret) for `number` as "anyone else" would, now."""
    caller = caller_classes(parse_number_routes(items))[-1].caller or ""
    before = expected_line(caller, now(), items=items, global_items=global_items, fallback=fallback)
    started = clock()
    status, content_type, body = get(
        f"{action_url}?caller={quote(caller)}&recipient={quote(number)}&{CANARY_PARAMETER}=1"
    )
    milliseconds = (clock() - started) * 1000
    after = expected_line(caller, now(), items=items, global_items=global_items, fallback=fallback)

    def result(ok: bool, reason: str) -> Probe:
        return Probe(number, caller, ok, reason, line=body, expected=before, milliseconds=milliseconds)

    if status != 200:
        return result(False, f"GET answered {status or body}")
    if not content_type.startswith("text/plain"):
        return result(False, f"the answer is {content_type or 'untyped'}, not text/plain")
    try:
        parse_action_line(body)
    except ActionError as error:
        return result(False, f"the answer is not one valid action line: {error}")
    if body not in (before, after):
        return result(False, f"it answered {body!r}, the routes say {before!r}")
    if milliseconds > slow_milliseconds:
        return result(False, f"it answered in {milliseconds:.0f} ms (over {slow_milliseconds:.0f})")
    return result(True, f"200 text/plain {body!r} in {milliseconds:.0f} ms, as the routes say")
