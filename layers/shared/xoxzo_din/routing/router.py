"""Answer one call: normalise the numbers, get the routes (cache, else DynamoDB), pick the action
(for operators: docs/explanation/call-routing.md).

At most ONE DynamoDB request per call: on a cache miss, the Query of the called number's
partition. The global default (the `*` partition) is read at start-up, then re-read when it is
older than the TTL on a call that needs no other request; a call that already read its number uses
the global default it has. Routes are cached per number for `ttl_seconds` in the warm container
and parsed once per read.

It never raises for a call: if DynamoDB fails it serves the last good routes it has, then the
global default it last saw, then the fallback action. After a failed read (at start-up or on a
call) no read is tried for ERROR_RETRY_SECONDS, whatever the number: an outage costs one timeout
per container every few seconds, not one per call or per uncached number.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from xoxzo_din.phone import to_e164
from xoxzo_din.routing.actions import Action, render
from xoxzo_din.routing.decide import CallRoutes, decide
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.routing.rules import Call, NumberRoutes

ERROR_RETRY_SECONDS = 5.0
# Bounds memory if callers dial many unknown numbers.
MAX_CACHED_NUMBERS = 4096
_NO_ROUTES = NumberRoutes()  # a number that could not be read, or none was called

type Items = list[dict[str, Any]]


class RoutesSource(Protocol):
    """Where the router reads a number's route items (tables.routes_reader.RoutesReader)."""

    def read_number(self, number: str) -> Items:
        """The called number's partition: one Query."""
        ...

    def read_global(self) -> Items:
        """The global partition, `*`, on a call."""
        ...

    def read_global_once(self) -> Items:
        """The global partition at start-up: one attempt, no retry (the call path waits for it)."""
        ...


@dataclass(frozen=True, slots=True)
class Answer:
    line: str  # the action line for XOXZO
    source: str  # which rule or default decided (see rules.Decision)
    # The number's routes came from: "cache", "dynamodb", "stale" (DynamoDB failed now or moments
    # ago: its last good routes), "unavailable" (the same, nothing cached) or "none" (not a number).
    routes: str
    recipient: str | None  # E.164, None if the recipient was not a phone number
    anonymous_caller: bool
    requests: int = 0  # DynamoDB requests made for this call (0 or 1), the number's or the global's
    problems: tuple[str, ...] = ()  # malformed items seen in a fresh read
    lookup_error: str | None = None


@dataclass(slots=True)
class _Entry:
    routes: NumberRoutes
    fresh_until: float


class Router:
    def __init__(
        self,
        source: RoutesSource,
        *,
        fallback: Action,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_CACHED_NUMBERS,
    ) -> None:
        self._source = source
        self._fallback = fallback
        self._ttl = ttl_seconds
        self._clock = clock
        self._max_entries = max_entries
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._global = _Entry(NumberRoutes(), fresh_until=float("-inf"))
        self._reads_paused_until = float("-inf")  # set by a failed read

    def load_global(self) -> tuple[tuple[str, ...], str | None]:
        """Read the global default now (at start-up). Returns (problems, error)."""
        return self._refresh_global(self._clock(), at_start=True)

    def answer(self, recipient: str | None, caller: str | None, at: datetime) -> Answer:
        now = self._clock()
        number = to_e164(recipient)
        problems: tuple[str, ...] = ()
        error: str | None = None
        if number is None:
            entry, routes, requests = None, "none", 0
        else:
            entry, routes, requests, problems, error = self._number_routes(number, now)
        if requests == 0 and now >= self._global.fresh_until and now >= self._reads_paused_until:
            global_problems, global_error = self._refresh_global(now)
            requests, problems, error = 1, problems + global_problems, error or global_error
        call = Call.of(caller, at)
        routes_of_call = CallRoutes(entry.routes if entry is not None else _NO_ROUTES, self._global.routes)
        decision = decide(call, routes_of_call, self._fallback)
        return Answer(
            line=render(decision.action),
            source=decision.source,
            routes=routes,
            recipient=number,
            anonymous_caller=call.anonymous,
            requests=requests,
            problems=problems,
            lookup_error=error,
        )

    def _number_routes(
        self, number: str, now: float
    ) -> tuple[_Entry | None, str, int, tuple[str, ...], str | None]:
        entry = self._cache.get(number)
        if entry is not None:
            self._cache.move_to_end(number)
            if now < entry.fresh_until:
                return entry, "cache", 0, (), None
        unread = "stale" if entry is not None else "unavailable"
        if now < self._reads_paused_until:  # DynamoDB failed moments ago: do not wait for it again
            return entry, unread, 0, (), None
        try:
            fresh = _Entry(parse_number_routes(self._source.read_number(number)), now + self._ttl)
        except Exception as error:  # any failure: the call must still be answered
            self._reads_paused_until = now + ERROR_RETRY_SECONDS
            return entry, unread, 1, (), repr(error)
        self._store(number, fresh)
        return fresh, "dynamodb", 1, fresh.routes.problems, None

    def _refresh_global(self, now: float, *, at_start: bool = False) -> tuple[tuple[str, ...], str | None]:
        read = self._source.read_global_once if at_start else self._source.read_global
        try:
            routes = parse_number_routes(read(), global_partition=True)
        except Exception as error:  # keep the last good global default
            self._reads_paused_until = now + ERROR_RETRY_SECONDS
            return (), repr(error)
        self._global = _Entry(routes, now + self._ttl)
        return routes.problems, None

    def _store(self, key: str, entry: _Entry) -> None:
        self._cache[key] = entry
        self._cache.move_to_end(key)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)
