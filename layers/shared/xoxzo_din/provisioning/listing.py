"""list: every number XOXZO or our records know, side by side, with what differs (the drift)."""

from __future__ import annotations

from xoxzo_din.phone import to_e164
from xoxzo_din.provisioning.context import Context
from xoxzo_din.provisioning.requests import ListRequest
from xoxzo_din.provisioning.results import ListResult, NumberListing, redact_url
from xoxzo_din.tables.numbers import HELD_STATUSES, NumberRecord, NumberStatus
from xoxzo_din.xoxzo.models import Subscription


def list_numbers(ctx: Context, request: ListRequest) -> ListResult:
    records = {record.din_uid: record for record in ctx.numbers.all()}
    subscriptions = ctx.subscriptions()
    listings = [
        _listing(ctx, din_uid, records.get(din_uid), subscriptions.get(din_uid))
        for din_uid in sorted(subscriptions.keys() | records.keys())
    ]
    listings.sort(key=lambda listing: (listing.number or "", listing.din_uid))
    return ListResult(
        numbers=listings,
        count=len(listings),
        drift_count=sum(1 for listing in listings if listing.drift),
    )


def _listing(
    ctx: Context, din_uid: str, record: NumberRecord | None, at_xoxzo: Subscription | None
) -> NumberListing:
    drift: list[str] = []
    if at_xoxzo is not None and record is None:
        drift.append("only_at_xoxzo")
    if at_xoxzo is None and record is not None and record.status in HELD_STATUSES:
        drift.append("only_ours")
    if at_xoxzo is not None and record is not None:
        if record.status is not NumberStatus.ACTIVE:
            drift.append("status_mismatch")
        if not record.points_at(at_xoxzo.action_url):
            drift.append("action_url_differs")
    if at_xoxzo is not None and ctx.action_url and at_xoxzo.action_url != ctx.action_url:
        drift.append("action_url_not_this_stack")
    number = (record.number if record else None) or (to_e164(at_xoxzo.number) if at_xoxzo else None)
    return NumberListing(
        din_uid=din_uid,
        number=number,
        status=str(record.status) if record else None,
        at_xoxzo=at_xoxzo is not None,
        action_url_at_xoxzo=redact_url(at_xoxzo.action_url) if at_xoxzo else None,
        action_url_recorded=redact_url(record.action_url) if record else None,
        drift=drift,
        subscribed_at=record.subscribed_at if record else None,
        cancelled_at=record.cancelled_at if record else None,
        monthly_cost=record.monthly_cost if record else None,
        note=record.note if record else None,
    )
