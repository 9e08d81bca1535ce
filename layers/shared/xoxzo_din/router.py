"""Answer one call: normalise the numbers, get the routes (cache, else DynamoDB), pick the action.

It never raises for a call: if DynamoDB fails it serves the last good routes it has, and if it has
none it answers the global default it last saw, else the fallback action. Routes are cached per
number for `ttl_seconds` in the warm container (at most one DynamoDB request per call on a miss,
none on a hit); entries are parsed once per read.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from xoxzo_din.actions import Action, render
from xoxzo_din.phone import is_hidden, to_e164
from xoxzo_din.route_items import GLOBAL_NUMBER
from xoxzo_din.routes_store import RouteItems
from xoxzo_din.rules import Call, NumberRoutes, choose_action, parse_number_routes

# While DynamoDB is failing, a number is retried at most this often (calls meanwhile use the
# stale routes), so an outage does not add a timeout to every call.
ERROR_RETRY_SECONDS = 5.0
# Bounds memory if callers dial many unknown numbers.
MAX_CACHED_NUMBERS = 4096


@dataclass(frozen=True, slots=True)
class Answer:
    line: str  # the action line for XOXZO
    source: str  # which rule or default decided (see rules.Decision)
    routes: str  # "cache", "dynamodb", "stale" (DynamoDB failed, last good routes) or "none"
    recipient: str | None  # E.164, None if the recipient was not a phone number
    anonymous_caller: bool
    problems: tuple[str, ...] = ()  # malformed items seen in a fresh read
    lookup_error: str | None = None


@dataclass(slots=True)
class _Entry:
    number: NumberRoutes
    global_routes: NumberRoutes
    fresh_until: float


class Router:
    def __init__(
        self,
        read_routes: Callable[[str | None], RouteItems],
        *,
        fallback: Action,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_CACHED_NUMBERS,
    ) -> None:
        self._read_routes = read_routes
        self._fallback = fallback
        self._ttl = ttl_seconds
        self._clock = clock
        self._max_entries = max_entries
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._last_global = NumberRoutes()

    def answer(self, recipient: str | None, caller: str | None, at: datetime) -> Answer:
        number = to_e164(recipient)
        caller_number = to_e164(caller)
        hidden = is_hidden(caller)
        entry, routes, problems, error = self._routes(number)
        decision = choose_action(
            Call(caller=caller_number, at=at, anonymous=hidden),
            entry.number if entry else NumberRoutes(),
            entry.global_routes if entry else self._last_global,
            self._fallback,
        )
        return Answer(
            line=render(decision.action),
            source=decision.source,
            routes=routes,
            recipient=number,
            anonymous_caller=hidden,
            problems=problems,
            lookup_error=error,
        )

    def _routes(self, number: str | None) -> tuple[_Entry | None, str, tuple[str, ...], str | None]:
        key = number or GLOBAL_NUMBER
        now = self._clock()
        entry = self._cache.get(key)
        if entry is not None:
            self._cache.move_to_end(key)
            if now < entry.fresh_until:
                return entry, "cache", (), None
        try:
            items = self._read_routes(number)
        except Exception as error:  # any failure: the call must still be answered
            if entry is not None:
                entry.fresh_until = now + min(self._ttl, ERROR_RETRY_SECONDS)
                return entry, "stale", (), repr(error)
            return None, "none", (), repr(error)
        fresh = _Entry(
            number=parse_number_routes(items.number_items),
            global_routes=parse_number_routes(items.global_items, global_partition=True),
            fresh_until=now + self._ttl,
        )
        self._last_global = fresh.global_routes
        self._store(key, fresh)
        return fresh, "dynamodb", fresh.number.problems + fresh.global_routes.problems, None

    def _store(self, key: str, entry: _Entry) -> None:
        self._cache[key] = entry
        self._cache.move_to_end(key)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)
