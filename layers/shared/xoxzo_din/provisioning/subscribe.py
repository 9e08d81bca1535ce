"""subscribe: take a number XOXZO offers (billed at once), point it here, give it a default route.

Every step is written down first and can be finished later by sync: the write order, and why, is
docs/explanation/write-order-and-sync.md. Before any POST our record and XOXZO's subscription list
are consulted: an active number subscribes nothing, one XOXZO already has is adopted (unless it is
another stack's: ownership.py), an unfinished operation is refused.
"""

from __future__ import annotations

from xoxzo_din.phone import to_e164
from xoxzo_din.provisioning.context import Context, after_subscription, by_din_uid, details, first_record
from xoxzo_din.provisioning.errors import ConflictError, NotAvailableError, OutcomeUnknownError
from xoxzo_din.provisioning.ownership import refuse_foreign
from xoxzo_din.provisioning.requests import SubscribeRequest
from xoxzo_din.provisioning.results import NumberView, SubscribeResult
from xoxzo_din.tables.numbers import NumberRecord, NumberStatus, RecordChangedError
from xoxzo_din.xoxzo.errors import XoxzoApiError, XoxzoError, XoxzoOutcomeUnknownError, XoxzoUnavailableError
from xoxzo_din.xoxzo.models import Subscription


def subscribe(ctx: Context, request: SubscribeRequest) -> SubscribeResult:
    din_uid = request.din_uid
    existing = ctx.numbers.get(din_uid)
    if existing is not None and existing.status is NumberStatus.ACTIVE:
        # Ours already: subscribe nothing, only finish steps 4-6 if a crash left them undone.
        return _finish_subscription(ctx, existing, "already_held")

    at_xoxzo = ctx.subscriptions().get(din_uid)
    if at_xoxzo is not None:
        return _adopt(ctx, din_uid, at_xoxzo, existing)

    if existing is not None:
        _refuse_unfinished(ctx, existing)

    offered = by_din_uid(ctx.client.search()).get(din_uid)
    if offered is None:
        raise NotAvailableError(
            f"{din_uid} is not in XOXZO's list of available numbers: nothing was subscribed "
            "(search again for a din_uid)"
        )

    # Never write an intent that the POST has no time to follow.
    ctx.require_time(f"subscribe {din_uid}: nothing was subscribed")

    # (1) Intent first: from here on, a crash leaves a record that sync resolves.
    now = ctx.now()
    intent = NumberRecord(
        din_uid=din_uid,
        status=NumberStatus.SUBSCRIBING,
        updated_at=now,
        number=to_e164(offered.number),
        monthly_cost=offered.monthly_cost,
        minute_cost=offered.minute_cost,
        country_code=offered.country_code,
        prefix=offered.prefix,
        note=f"subscribe requested at {now}",
        created_at=existing.created_at if existing and existing.created_at else now,
        # Subscribing a number we cancelled before: its last cancellation stays on record.
        previous_cancelled_at=(existing.cancelled_at or existing.previous_cancelled_at) if existing else None,
    )
    try:
        if existing is None:
            ctx.numbers.create(intent)
        else:
            ctx.numbers.replace_record(intent, existing)
    except RecordChangedError as error:
        raise ConflictError(
            f"another operation on {din_uid} started meanwhile; nothing was subscribed ({error})"
        ) from error

    # (2) The POST. The client itself looks at the subscription list after an ambiguous failure.
    try:
        subscription = ctx.client.subscribe(din_uid)
    except XoxzoOutcomeUnknownError as error:
        # Also when the time budget cut the retries short: the answer says so, sync settles it.
        raise OutcomeUnknownError(
            f"XOXZO did not answer the subscribe of {din_uid} ({error}); it may or may not be "
            "subscribed. The record stays 'subscribing': run sync to settle it (never subscribe "
            "again blindly)."
        ) from error
    except XoxzoUnavailableError as error:
        # No answer was lost: every attempt was refused (429) or none was sent, so nothing
        # was subscribed and the subscribe may be tried again at once.
        ctx.numbers.mark_failed(din_uid, now=ctx.now(), note=f"not subscribed: {error}")
        raise
    except XoxzoApiError as error:
        # A definite refusal (4xx): nothing was subscribed, nothing is billed.
        ctx.numbers.mark_failed(
            din_uid, now=ctx.now(), note=f"XOXZO refused the subscribe: HTTP {error.status}"
        )
        raise

    # (3) Active: the subscription is the truth, whatever happens next. From here on the number
    # is billed, and a failure of ours says so.
    subscribed_at = ctx.now()
    number = to_e164(subscription.number) or intent.number
    with after_subscription(din_uid, "subscribed", "marking it active here (the record says 'subscribing')"):
        ctx.numbers.mark_active(
            din_uid, now=subscribed_at, note="subscribed", number=number, subscribed_at=subscribed_at
        )
    record = intent.with_changes(status=NumberStatus.ACTIVE, number=number, subscribed_at=subscribed_at)
    return _finish_subscription(ctx, record, "subscribed")


def _refuse_unfinished(ctx: Context, existing: NumberRecord) -> None:
    """Our record shows an operation that may still be running: never POST on top of it."""
    if existing.status is NumberStatus.SUBSCRIBING and not ctx.is_stale(existing):
        raise ConflictError(
            f"a subscribe of {existing.din_uid} started at {existing.updated_at} and may still be "
            f"running; try again after {int(ctx.subscribe_grace.total_seconds())} s, or run sync"
        )
    if existing.status is NumberStatus.CANCELLING:
        raise ConflictError(
            f"a cancel of {existing.din_uid} is unfinished; run sync first, then subscribe again"
        )
    # A stale subscribe intent that XOXZO never got, or a failed / cancelled / missing number:
    # subscribing again is a fresh start (the intent write is conditional on this record).


def _adopt(
    ctx: Context, din_uid: str, at_xoxzo: Subscription, existing: NumberRecord | None
) -> SubscribeResult:
    """XOXZO already has the subscription (a crash after the POST, or the dashboard): record it.
    Not if it is another stack's (ForeignNumberError): taking it over is sync's `adopt`."""
    refuse_foreign(
        din_uid, existing, at_xoxzo, ctx.action_url, "subscribed, adopted or re-pointed", named=True
    )
    now = ctx.now()
    number = to_e164(at_xoxzo.number) or (existing.number if existing else None)
    note = "already subscribed at XOXZO: adopted without subscribing again"
    if existing is None:
        record = first_record(at_xoxzo, NumberStatus.ACTIVE, now=now, number=number, note=note)
        with after_subscription(din_uid, "adopted", "recording it here"):
            ctx.create_or_conflict(record)
    else:
        # subscribed_at stays unknown unless the intent time is all we know: keep what we had.
        # Written only if the record is still the one read above (a cancel may be running: a
        # Conflict, not an incomplete subscribe).
        with after_subscription(din_uid, "adopted", "marking it active here"):
            try:
                current = ctx.numbers.mark_active(
                    din_uid,
                    now=now,
                    note=note,
                    number=number,
                    seen=existing,
                    details=details(at_xoxzo, existing),
                )
                if not existing.points_at(at_xoxzo.action_url) and at_xoxzo.action_url is not None:
                    current = ctx.numbers.record_action_url(
                        din_uid, now=now, action_url=at_xoxzo.action_url, seen=current
                    )
            except RecordChangedError as error:
                raise ConflictError(
                    f"{din_uid} changed meanwhile; nothing was subscribed, run the operation again ({error})"
                ) from error
        # What XOXZO has decides whether the action URL must still be set.
        record = current.with_changes(action_url=at_xoxzo.action_url)
    return _finish_subscription(ctx, record, "adopted")


def _finish_subscription(ctx: Context, record: NumberRecord, outcome: str) -> SubscribeResult:
    """Steps 4-6 for an active number: point it here, record that, give it a default route.

    XOXZO failing to set the action URL is a warning; a failure of our own writes is
    SubscribedIncompletelyError, naming the step."""
    din_uid = record.din_uid
    warnings: list[str] = []
    action_url_set = False
    if ctx.action_url is None:
        warnings.append("no action URL configured (ACTION_URL): the number is not pointed anywhere")
    elif not record.points_at(ctx.action_url):
        try:
            ctx.client.set_action_url(din_uid, ctx.action_url)  # (4)
        except XoxzoError as error:
            warnings.append(f"action URL not set at XOXZO ({error}); run set-action-url or sync")
        else:
            with after_subscription(din_uid, outcome, "recording its action URL (XOXZO has it)"):
                ctx.numbers.record_action_url(din_uid, now=ctx.now(), action_url=ctx.action_url)
            action_url_set = True  # (5)
    default_route_created = False
    if record.number is None:
        warnings.append("XOXZO did not give the number: no default route created; run sync later")
    else:
        with after_subscription(din_uid, outcome, "creating its default route"):
            default_route_created = ctx.routes.ensure_default_route(record.number, ctx.now())  # (6)
    with after_subscription(din_uid, outcome, "reading its record back (every step was done)"):
        final = ctx.numbers.get(din_uid)
    return SubscribeResult(
        outcome=outcome,
        din_uid=record.din_uid,
        number=record.number,
        action_url_set=action_url_set,
        default_route_created=default_route_created,
        warnings=warnings,
        record=NumberView.of(final) if final else None,
    )
