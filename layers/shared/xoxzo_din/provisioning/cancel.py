"""cancel: end a subscription at XOXZO, after the operator repeats the din_uid or the number.

`cancelling` is written before XOXZO's DELETE and `cancelled` after it
(docs/explanation/write-order-and-sync.md); the XOXZO client (and so the credentials) is built
before the intent is written.
"""

from __future__ import annotations

from xoxzo_din.phone import to_e164
from xoxzo_din.provisioning.context import Context, after_cancel, first_record
from xoxzo_din.provisioning.errors import (
    ConflictError,
    InvalidRequestError,
    NotHeldError,
    OutcomeUnknownError,
)
from xoxzo_din.provisioning.ownership import refuse_foreign
from xoxzo_din.provisioning.requests import CancelRequest
from xoxzo_din.provisioning.results import CancelResult, NumberView
from xoxzo_din.tables.numbers import NumberRecord, NumberStatus, RecordChangedError
from xoxzo_din.xoxzo.errors import XoxzoApiError, XoxzoNotFoundError, XoxzoUnavailableError


def cancel(ctx: Context, request: CancelRequest) -> CancelResult:
    """Cancel at XOXZO after an explicit confirmation (the din_uid or the number, again)."""
    din_uid, confirm, delete_routes = request.din_uid, request.confirm, request.delete_routes
    record = ctx.numbers.get(din_uid)
    _check_confirmation(din_uid, confirm, record)
    if record is not None and record.status is NumberStatus.CANCELLED:
        deleted = _delete_routes(ctx, record.number) if delete_routes else 0
        return CancelResult("already_cancelled", din_uid, record.number, deleted, NumberView.of(record))
    if record is not None and record.status is NumberStatus.FAILED:
        raise NotHeldError(
            f"{din_uid} was never subscribed (status failed); run sync if XOXZO has it after all"
        )
    if record is not None and record.status is NumberStatus.SUBSCRIBING:
        raise ConflictError(f"the subscribe of {din_uid} is unfinished; run sync first, then cancel")

    ctx.require_time(f"cancel {din_uid}: nothing was cancelled")
    # The client (and its credentials) BEFORE the intent: a placeholder or unreadable secret must
    # not leave a `cancelling` record behind for a DELETE that was never sent.
    client = ctx.client
    number, status_before = _record_cancel_intent(ctx, din_uid, record)
    try:
        client.cancel(din_uid)
        outcome, note = "cancelled", "cancelled"
    except XoxzoNotFoundError:
        outcome, note = "already_gone", "XOXZO answered 404 to the cancel: already gone there"
    except XoxzoUnavailableError as error:
        raise OutcomeUnknownError(
            f"XOXZO did not answer the cancel of {din_uid} ({error}); the record stays "
            "'cancelling': run cancel again, or sync to settle it"
        ) from error
    except XoxzoApiError as error:
        # A definite refusal: nothing was cancelled, the number is held as before.
        ctx.numbers.revert_cancelling(
            din_uid,
            now=ctx.now(),
            status=status_before,
            note=f"XOXZO refused the cancel: HTTP {error.status}",
        )
        raise
    # XOXZO no longer bills the number: from here on, a failure of ours says so.
    cancelled_at = ctx.now()
    with after_cancel(din_uid, outcome, "recording it here", "the record says 'cancelling': run sync"):
        ctx.numbers.mark_cancelled(din_uid, now=cancelled_at, cancelled_at=cancelled_at, note=note)
    deleted = 0
    if delete_routes:
        with after_cancel(
            din_uid,
            outcome,
            "deleting its routes",
            "it is recorded as cancelled: run cancel again with delete_routes true",
        ):
            deleted = _delete_routes(ctx, number)
    with after_cancel(din_uid, outcome, "reading its record back", "every step was done"):
        final = ctx.numbers.get(din_uid)
    return CancelResult(outcome, din_uid, number, deleted, NumberView.of(final) if final else None)


def _record_cancel_intent(
    ctx: Context, din_uid: str, record: NumberRecord | None
) -> tuple[str | None, NumberStatus]:
    """Write `cancelling` before the DELETE; return the number and the status to go back to if
    XOXZO refuses."""
    now = ctx.now()
    if record is None:
        # Not recorded here: XOXZO must have it, and we keep a record of everything we cancel.
        at_xoxzo = ctx.subscriptions().get(din_uid)
        if at_xoxzo is None:
            raise NotHeldError(f"{din_uid} is neither recorded here nor subscribed at XOXZO")
        refuse_foreign(din_uid, None, at_xoxzo, ctx.action_url, "cancelled")
        ctx.require_time(f"cancel {din_uid}: nothing was cancelled")  # the list took some
        number = to_e164(at_xoxzo.number)
        note = f"cancel requested at {now} for a number not recorded here"
        ctx.create_or_conflict(
            first_record(at_xoxzo, NumberStatus.CANCELLING, now=now, number=number, note=note)
        )
        return number, NumberStatus.ACTIVE
    if record.status is NumberStatus.CANCELLING:
        return record.number, NumberStatus.ACTIVE  # a retried cancel: XOXZO still had it
    if record.status is NumberStatus.MISSING_AT_XOXZO:
        # We no longer hold it: if XOXZO lists it again, it may be someone else's by now.
        at_xoxzo = ctx.subscriptions().get(din_uid)
        if at_xoxzo is not None:
            refuse_foreign(din_uid, record, at_xoxzo, ctx.action_url, "cancelled")
        ctx.require_time(f"cancel {din_uid}: nothing was cancelled")  # the list took some
    try:
        ctx.numbers.mark_cancelling(din_uid, now=now, previous=record)
    except RecordChangedError as error:
        raise ConflictError(f"{din_uid} changed meanwhile; nothing was cancelled ({error})") from error
    return record.number, record.status


def _delete_routes(ctx: Context, number: str | None) -> int:
    return ctx.routes.delete_routes(number) if number else 0


def _check_confirmation(din_uid: str, confirm: str, record: NumberRecord | None) -> None:
    if record is None and confirm.strip() != din_uid:
        raise InvalidRequestError(
            [f"confirm must equal the din_uid {din_uid!r} (there is no record here to check a number)"]
        )
    if record is not None and not _confirms(confirm, record):
        raise InvalidRequestError(
            [
                f"confirm {confirm[:80]!r} matches neither the din_uid {din_uid!r} nor its number "
                f"{record.number!r}"
            ]
        )


def _confirms(confirm: str, record: NumberRecord) -> bool:
    if confirm.strip() == record.din_uid:
        return True
    return record.number is not None and to_e164(confirm) == record.number
