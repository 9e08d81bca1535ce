"""The provisioning facade: one object with one method per operation, over a shared `Context`.

Each operation lives in its own module (search, listing, subscribe, set_action_url, cancel, sync)
and takes a typed request that requests.py validated; `execute` runs a request the handler parsed,
and the keyword methods (for code and tests) build theirs with the same validator. The write order
of subscribe and cancel, and what sync repairs: docs/explanation/write-order-and-sync.md.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import timedelta
from typing import Any

from xoxzo_din.provisioning import cancel as cancel_operation
from xoxzo_din.provisioning import listing, search, set_action_url, subscribe, sync
from xoxzo_din.provisioning.budget import UNLIMITED, Clock, TimeBudget, utc_now
from xoxzo_din.provisioning.context import SUBSCRIBE_GRACE, Context, DinApi
from xoxzo_din.provisioning.requests import (
    CancelRequest,
    ListRequest,
    Request,
    SearchRequest,
    SetActionUrlRequest,
    SubscribeRequest,
    SyncRequest,
    build_request,
)
from xoxzo_din.provisioning.results import (
    CancelResult,
    ListResult,
    SearchResult,
    SetActionUrlResult,
    SubscribeResult,
    SyncReport,
)
from xoxzo_din.tables.numbers import NumbersStore
from xoxzo_din.tables.routes_writer import RoutesWriter

Result = SearchResult | SubscribeResult | ListResult | SetActionUrlResult | CancelResult | SyncReport


class Provisioner:
    def __init__(
        self,
        *,
        numbers: NumbersStore,
        routes: RoutesWriter,
        action_url: str | None,
        client: DinApi | None = None,
        client_factory: Callable[[], DinApi] | None = None,
        clock: Clock = utc_now,
        subscribe_grace: timedelta = SUBSCRIBE_GRACE,
        budget: TimeBudget = UNLIMITED,
    ) -> None:
        """Give `client`, or `client_factory` to defer building it (and fetching credentials) until
        XOXZO is really called. `budget` is the invocation's time for XOXZO calls (give the client
        the same deadline)."""
        if (client is None) == (client_factory is None):
            raise TypeError("give exactly one of client and client_factory")
        self.context = Context(
            numbers, routes, action_url, client_factory, clock, subscribe_grace, budget, client
        )

    @property
    def client(self) -> DinApi:
        return self.context.client

    def execute(self, request: Request) -> Result:
        """Run a validated request (requests.parse_request or build_request)."""
        operation: Callable[[Context, Any], Result] = _OPERATIONS[type(request)]
        return operation(self.context, request)

    # Keyword methods: the same operations for callers in code, validated by requests.py.

    def search(self, country: str | None = None, prefix: str | None = None) -> SearchResult:
        request = build_request("search", country=country, prefix=prefix)
        return search.search(self.context, _as(SearchRequest, request))

    def subscribe(self, din_uid: str) -> SubscribeResult:
        request = build_request("subscribe", din_uid=din_uid)
        return subscribe.subscribe(self.context, _as(SubscribeRequest, request))

    def list_numbers(self) -> ListResult:
        return listing.list_numbers(self.context, ListRequest())

    def set_action_url(
        self,
        din_uid: str | None = None,
        *,
        all_numbers: bool = False,
        action_url: str | None = None,
        force: bool = False,
    ) -> SetActionUrlResult:
        fields = {"din_uid": din_uid, "all": all_numbers, "action_url": action_url, "force": force}
        request = build_request("set-action-url", **fields)
        return set_action_url.set_action_url(self.context, _as(SetActionUrlRequest, request))

    def cancel(self, din_uid: str, *, confirm: str | None, delete_routes: bool = False) -> CancelResult:
        request = build_request("cancel", din_uid=din_uid, confirm=confirm, delete_routes=delete_routes)
        return cancel_operation.cancel(self.context, _as(CancelRequest, request))

    def sync(self, adopt: Collection[str] | None = None) -> SyncReport:
        request = build_request("sync", adopt=adopt)
        return sync.sync(self.context, _as(SyncRequest, request))


_OPERATIONS: dict[type[Request], Callable[[Context, Any], Result]] = {
    SearchRequest: search.search,
    SubscribeRequest: subscribe.subscribe,
    ListRequest: listing.list_numbers,
    SetActionUrlRequest: set_action_url.set_action_url,
    CancelRequest: cancel_operation.cancel,
    SyncRequest: sync.sync,
}


def _as[T](kind: type[T], request: Request) -> T:
    assert isinstance(request, kind)  # noqa: S101  (build_request builds the operation it is named)
    return request
