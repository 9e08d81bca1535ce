"""set-action-url: point one active number, or all of them, at an action URL (default: this stack's)."""

from __future__ import annotations

from xoxzo_din.provisioning.context import Context, describe
from xoxzo_din.provisioning.errors import InvalidRequestError, NotHeldError
from xoxzo_din.provisioning.ownership import host_of, is_action_url_of_this_stack
from xoxzo_din.provisioning.requests import SetActionUrlRequest
from xoxzo_din.provisioning.results import PointOutcome, SetActionUrlResult, redact_url
from xoxzo_din.tables.numbers import NumberStatus, RecordChangedError
from xoxzo_din.xoxzo.errors import XoxzoError


def set_action_url(ctx: Context, request: SetActionUrlRequest) -> SetActionUrlResult:
    """Point one active number (or all of them) at the request's action URL (default: this stack's).

    For one number, a XOXZO error is raised; for all, each failure is reported and the rest go
    on. A number is not started without time for one XOXZO attempt: it is reported `skipped`.
    """
    din_uid, all_numbers = request.din_uid, request.all_numbers
    url = request.action_url or ctx.action_url
    if url is None:
        raise InvalidRequestError(["action_url is required: this stack has no ACTION_URL configured"])
    if (
        request.action_url is not None
        and not request.force
        and not is_action_url_of_this_stack(request.action_url, ctx.action_url)
    ):
        raise InvalidRequestError(
            [
                f"action_url ({host_of(request.action_url)}) is not this stack's API with a secret: "
                "callers would be answered elsewhere, or not at all. "
                'Give "force": true to do it anyway (it is logged)'
            ]
        )

    if all_numbers:
        targets = ctx.numbers.active()
    else:
        assert din_uid is not None  # noqa: S101  (requests.py: one of din_uid and all)
        record = ctx.numbers.get(din_uid)
        if record is None or record.status is not NumberStatus.ACTIVE:
            status = record.status if record else "no record"
            raise NotHeldError(
                f"{din_uid} is not an active number of ours ({status}); run sync to import numbers "
                "subscribed at XOXZO"
            )
        targets = [record]

    outcomes: list[PointOutcome] = []
    for record in targets:
        if not ctx.budget.has_time():
            outcomes.append(
                PointOutcome(record.din_uid, record.number, "skipped", "no time left in this invocation")
            )
            continue
        try:
            ctx.client.set_action_url(record.din_uid, url)
            ctx.numbers.record_action_url(record.din_uid, now=ctx.now(), action_url=url)
        except (XoxzoError, RecordChangedError) as error:
            if not all_numbers:
                raise
            outcomes.append(PointOutcome(record.din_uid, record.number, "failed", describe(error)))
            continue
        outcomes.append(PointOutcome(record.din_uid, record.number, "set"))
    return SetActionUrlResult(
        action_url=redact_url(url),
        numbers=outcomes,
        set_count=sum(1 for outcome in outcomes if outcome.outcome == "set"),
        failed_count=sum(1 for outcome in outcomes if outcome.outcome == "failed"),
        skipped_count=sum(1 for outcome in outcomes if outcome.outcome == "skipped"),
    )
