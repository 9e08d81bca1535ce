"""sync: make our records and XOXZO agree, without ever subscribing or cancelling anything.

What it repairs, and why each repair is safe: docs/explanation/write-order-and-sync.md. Every write
is conditional on the record being the version sync read: an operation that ran since is never
overwritten, it is reported as a conflict.
"""

from __future__ import annotations

from xoxzo_din.phone import to_e164
from xoxzo_din.provisioning.context import Context, describe, details, first_record
from xoxzo_din.provisioning.errors import ConflictError
from xoxzo_din.provisioning.ownership import adopt_hint, host_of, is_foreign
from xoxzo_din.provisioning.requests import SyncRequest
from xoxzo_din.provisioning.results import (
    URL_REDACTED_IN_RECORD,
    ForeignNumber,
    SyncAction,
    SyncReport,
    redact_url,
)
from xoxzo_din.tables.numbers import NumberRecord, NumberStatus, RecordChangedError
from xoxzo_din.xoxzo.errors import XoxzoError
from xoxzo_din.xoxzo.models import Subscription


def sync(ctx: Context, request: SyncRequest) -> SyncReport:
    """Make our records and XOXZO agree, without ever subscribing or cancelling anything.

    A number XOXZO lists that is not ours (no record here, or a record that does not hold it) is
    imported and pointed here only if its action URL is this stack's (`points_here`; an empty
    one only with a record): any other is most likely another stack's on a shared XOXZO
    account, and is only reported (`foreign`), unless its din_uid is in `adopt` (an explicit
    take-over)."""
    adopting = request.adopt
    secrets_removed = ctx.numbers.remove_secrets(ctx.now())
    # Our records first, XOXZO second: a subscribe that completes in between then shows up at
    # XOXZO (and is settled), instead of an active record XOXZO seems not to have.
    records = {record.din_uid: record for record in ctx.numbers.all()}
    subscriptions = ctx.subscriptions()
    report = SyncReport(at_xoxzo=len(subscriptions), recorded=len(records))
    report.actions.extend(
        SyncAction(r.din_uid, r.number, URL_REDACTED_IN_RECORD, "the recorded URL kept its secret")
        for r in secrets_removed
    )
    for din_uid in sorted(subscriptions.keys() | records.keys()):
        record, at_xoxzo = records.get(din_uid), subscriptions.get(din_uid)
        before = report.entries()
        try:
            if at_xoxzo is not None and is_foreign(record, at_xoxzo, ctx.action_url):
                if din_uid in adopting:
                    _sync_subscribed(
                        ctx, din_uid, record, at_xoxzo, report, taken_from=host_of(at_xoxzo.action_url)
                    )
                else:
                    report.foreign.append(
                        ForeignNumber(
                            din_uid=din_uid,
                            number=(record.number if record else None) or to_e164(at_xoxzo.number),
                            status=str(record.status) if record else None,
                            points_to=host_of(at_xoxzo.action_url),
                            hint=adopt_hint(din_uid),
                        )
                    )
            elif at_xoxzo is not None:
                _sync_subscribed(ctx, din_uid, record, at_xoxzo, report)
            elif record is not None:
                _sync_not_subscribed(ctx, record, report)
        except (RecordChangedError, ConflictError) as error:
            # Someone changed the record since sync read it: its decision is not written. A
            # later sync decides on the new state.
            number = record.number if record else None
            report.errors.append(SyncAction(din_uid, number, "conflict", describe(error)))
        except XoxzoError as error:
            number = record.number if record else None
            report.errors.append(SyncAction(din_uid, number, "error", describe(error)))
        if report.entries() == before:
            report.in_sync += 1
    for din_uid in sorted(adopting - subscriptions.keys()):
        record = records.get(din_uid)
        report.pending.append(
            SyncAction(
                din_uid,
                record.number if record else None,
                "adopt_not_found",
                "XOXZO does not list it on this account: nothing was taken over",
            )
        )
    return report


def _sync_subscribed(
    ctx: Context,
    din_uid: str,
    record: NumberRecord | None,
    at_xoxzo: Subscription,
    report: SyncReport,
    *,
    taken_from: str | None = None,
) -> None:
    """XOXZO has it, and it is ours (or `taken_from` that host, as `adopt` asked): our record
    must say active.

    Every write is conditional on the record being the version sync read (`current` follows
    sync's own writes): a cancel or subscribe that ran since is never overwritten, it raises
    RecordChangedError, reported as a conflict."""
    now = ctx.now()
    number = (record.number if record else None) or to_e164(at_xoxzo.number)
    current: NumberRecord
    taken = f"; taken over as asked (adopt), it pointed at {taken_from}" if taken_from else ""
    if record is None:
        note = f"imported by sync at {now} (subscribed at XOXZO, no record here{taken})"
        current = ctx.create_or_conflict(
            first_record(at_xoxzo, NumberStatus.ACTIVE, now=now, number=number, note=note)
        )
        report.actions.append(
            SyncAction(
                din_uid,
                number,
                "adopted" if taken_from else "imported",
                f"subscribed at XOXZO, no record here{taken}",
            )
        )
    elif record.status is NumberStatus.CANCELLING:
        if not ctx.is_stale(record):
            report.pending.append(
                SyncAction(
                    din_uid,
                    number,
                    "cancel_unfinished",
                    f"a cancel was requested at {record.updated_at} and XOXZO still has the number: "
                    "it may still be running (a later sync settles it), or run cancel again",
                )
            )
            return
        # No invocation is running it any more, and XOXZO still bills the number: the DELETE
        # never reached XOXZO (or was refused). Active again, as XOXZO has it.
        current = ctx.numbers.mark_active(
            din_uid,
            now=now,
            note=(
                f"the cancel requested at {record.updated_at} never took effect: XOXZO still has it "
                f"(settled by sync at {now})"
            ),
            number=number,
            seen=record,
            details=details(at_xoxzo, record),
        )
        report.actions.append(
            SyncAction(
                din_uid,
                number,
                "cancel_abandoned",
                f"a cancel intent of {record.updated_at} XOXZO never applied: marked active again "
                "(still billed; run cancel again to cancel it)",
            )
        )
    elif record.status is NumberStatus.SUBSCRIBING:
        current = ctx.numbers.mark_active(
            din_uid,
            now=now,
            note="subscribe completed by sync",
            number=number,
            subscribed_at=now,
            seen=record,
            details=details(at_xoxzo, record),
        )
        report.actions.append(
            SyncAction(din_uid, number, "subscribe_completed", "XOXZO has it: marked active")
        )
    elif record.status is not NumberStatus.ACTIVE:
        was = f"was {record.status}" + (
            f", cancelled at {record.cancelled_at}" if record.cancelled_at else ""
        )
        current = ctx.numbers.mark_active(
            din_uid,
            now=now,
            note=f"found subscribed at XOXZO by sync ({was}{taken})",
            number=number,
            seen=record,
            details=details(at_xoxzo, record),
        )
        report.actions.append(
            SyncAction(din_uid, number, "reactivated", f"{was}, but XOXZO has it (billed){taken}")
        )
    else:
        current = record

    current = _sync_action_url(ctx, current, number, at_xoxzo, report)
    _sync_default_route(ctx, current, number, report)


def _sync_action_url(
    ctx: Context, current: NumberRecord, number: str | None, at_xoxzo: Subscription, report: SyncReport
) -> NumberRecord:
    """Point the number here at XOXZO if it is not, or record what XOXZO has; return the record
    as written (each write conditional on `current`)."""
    din_uid = current.din_uid
    if ctx.action_url is not None and at_xoxzo.action_url != ctx.action_url:
        if not ctx.budget.has_time():
            report.pending.append(
                SyncAction(
                    din_uid,
                    number,
                    "action_url_skipped",
                    "no time left in this invocation to set the action URL: run sync again",
                )
            )
            return current
        ctx.client.set_action_url(din_uid, ctx.action_url)
        current = ctx.numbers.record_action_url(
            din_uid, now=ctx.now(), action_url=ctx.action_url, seen=current
        )
        report.actions.append(
            SyncAction(din_uid, number, "action_url_set", f"was {redact_url(at_xoxzo.action_url)}")
        )
    elif not current.points_at(at_xoxzo.action_url) and at_xoxzo.action_url is not None:
        current = ctx.numbers.record_action_url(
            din_uid, now=ctx.now(), action_url=at_xoxzo.action_url, seen=current
        )
        report.actions.append(SyncAction(din_uid, number, "action_url_recorded", "as XOXZO has it"))
    return current


def _sync_default_route(ctx: Context, current: NumberRecord, number: str | None, report: SyncReport) -> None:
    """Only numbers without any route get one: someone who deleted the default on purpose (to
    use the global default) keeps it that way."""
    din_uid = current.din_uid
    if number is None:
        report.pending.append(
            SyncAction(din_uid, None, "number_unknown", "XOXZO did not give the number: no route")
        )
    elif not ctx.routes.has_routes(number):
        # A cancel with delete_routes may have run since sync read the record: the route goes
        # to the routes table, which has no version, so look at the record right before.
        latest = ctx.numbers.get(din_uid)
        if latest is None or latest.version != current.version:
            raise RecordChangedError(din_uid, f"version {current.version} ({current.status})")
        if ctx.routes.ensure_default_route(number, ctx.now()):
            report.actions.append(SyncAction(din_uid, number, "default_route_created", "had no routes"))


def _sync_not_subscribed(ctx: Context, record: NumberRecord, report: SyncReport) -> None:
    """XOXZO does not have it: nothing is billed, whatever our record says."""
    now = ctx.now()
    din_uid, number = record.din_uid, record.number
    if record.status is NumberStatus.ACTIVE:
        note = f"XOXZO no longer lists it (found by sync at {now}); not cancelled by us"
        ctx.numbers.mark_missing_at_xoxzo(din_uid, now=now, note=note, seen=record)
        action, detail = "marked_missing_at_xoxzo", "active here, not at XOXZO"
    elif record.status is NumberStatus.SUBSCRIBING:
        if not ctx.is_stale(record):
            report.pending.append(
                SyncAction(din_uid, number, "subscribe_in_progress", f"since {record.updated_at}")
            )
            return
        note = f"the subscribe never reached XOXZO (settled by sync at {now})"
        ctx.numbers.mark_failed(din_uid, now=now, note=note, seen=record)
        action, detail = "marked_failed", "subscribe intent XOXZO never got"
    elif record.status is NumberStatus.CANCELLING:
        note = "cancel confirmed by sync: XOXZO no longer has it"
        ctx.numbers.mark_cancelled(din_uid, now=now, cancelled_at=now, note=note, seen=record)
        action, detail = "cancel_completed", "XOXZO no longer has it"
    else:
        return  # cancelled / failed / missing_at_xoxzo: already agrees with XOXZO.
    report.actions.append(SyncAction(din_uid, number, action, detail))
