"""cancel against an in-memory XOXZO and the template's tables in moto: what it writes, in which
order, and what it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.provisioning.world import (
    ACTION_URL,
    OSAKA,
    PROD_URL,
    ROTATED_URL,
    TOKYO,
    World,
    fails_once,
)
from xoxzo_din.provisioning.errors import (
    CancelledIncompletelyError,
    ForeignNumberError,
    InvalidRequestError,
    NotHeldError,
    OutcomeUnknownError,
)
from xoxzo_din.tables.numbers import NumberStatus
from xoxzo_din.xoxzo.errors import (
    XoxzoAuthError,
    XoxzoCredentialsError,
    XoxzoUnavailableError,
)


def test_cancel_needs_the_din_uid_or_the_number_repeated(world: World) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    world.journal.clear()

    with pytest.raises(InvalidRequestError, match="matches neither"):
        world.provisioner.cancel(TOKYO.din_uid, confirm="+81399999999")

    assert world.journal == []
    result = world.provisioner.cancel(TOKYO.din_uid, confirm="03-4567-8901")  # national format
    assert result.outcome == "cancelled"


def test_cancel_marks_cancelled_and_keeps_routes_by_default(world: World) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    world.clock.advance(days=3)

    result = world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    assert (result.outcome, result.routes_deleted) == ("cancelled", 0)
    assert TOKYO.din_uid not in world.xoxzo.subscribed
    record = world.record(TOKYO.din_uid)
    assert (record.status, record.cancelled_at) == (NumberStatus.CANCELLED, "2026-04-04T09:00:00Z")
    assert record.subscribed_at == "2026-04-01T09:00:00Z"  # history is kept
    assert len(world.routes_of(TOKYO.number)) == 1
    assert world.journal[-3:] == ["store.mark_cancelling", "xoxzo.cancel", "store.mark_cancelled"]


def test_cancel_with_delete_routes_deletes_only_that_numbers_routes(world: World) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    world.provisioner.subscribe(OSAKA.din_uid)
    for rule in range(30):  # more than one batch of 25
        world.routes_table.put_item(Item={"number": TOKYO.number, "rule_id": f"rule-{rule:02}"})

    result = world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.number, delete_routes=True)

    assert result.routes_deleted == 31
    assert world.routes_of(TOKYO.number) == []
    assert len(world.routes_of(OSAKA.number)) == 1


def test_cancel_answered_404_means_already_gone(world: World) -> None:
    world.seed(TOKYO, NumberStatus.ACTIVE)  # XOXZO does not have it

    result = world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    assert result.outcome == "already_gone"
    record = world.record(TOKYO.din_uid)
    assert record.status is NumberStatus.CANCELLED
    assert record.note is not None and "404" in record.note


def test_cancel_refused_by_xoxzo_puts_the_number_back_as_it_was(world: World) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    world.xoxzo.fail("cancel", XoxzoAuthError(401, {"detail": "no"}, "DELETE", "/x/"))

    with pytest.raises(XoxzoAuthError):
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    assert world.record(TOKYO.din_uid).status is NumberStatus.ACTIVE
    assert TOKYO.din_uid in world.xoxzo.subscribed


def test_an_unanswered_cancel_stays_cancelling_and_a_retry_finishes_it(world: World) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    world.xoxzo.fail("cancel", XoxzoUnavailableError("down", attempts=4, last_status=503))

    with pytest.raises(OutcomeUnknownError):
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLING

    assert world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid).outcome == "cancelled"
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLED


def test_a_failure_of_ours_after_xoxzo_cancelled_says_so_and_sync_finishes_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    fails_once(monkeypatch, world.numbers, "mark_cancelled")

    with pytest.raises(CancelledIncompletelyError) as raised:
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    error = raised.value
    assert (error.kind, error.outcome) == ("CancelledIncompletely", "cancelled")
    assert error.message == (
        f"{TOKYO.din_uid} IS cancelled at XOXZO and no longer billed, but recording it here failed "
        "(ClientError; see the function's logs): the record says 'cancelling': run sync"
    )
    assert TOKYO.din_uid not in world.xoxzo.subscribed
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLING

    report = world.provisioner.sync()

    assert [(a.din_uid, a.action) for a in report.actions] == [(TOKYO.din_uid, "cancel_completed")]
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLED
    assert world.xoxzo.calls("cancel") == 1


def test_a_cancel_answered_404_whose_record_fails_says_the_number_is_gone(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.seed(TOKYO, NumberStatus.ACTIVE)  # XOXZO does not have it
    fails_once(monkeypatch, world.numbers, "mark_cancelled")

    with pytest.raises(CancelledIncompletelyError, match=r"IS gone from XOXZO \(it answered 404\)") as raised:
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    assert raised.value.outcome == "already_gone"
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLING


def test_routes_a_cancel_failed_to_delete_are_deleted_by_cancelling_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    fails_once(monkeypatch, world.routes, "delete_routes")

    with pytest.raises(CancelledIncompletelyError, match="deleting its routes failed") as raised:
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid, delete_routes=True)

    assert raised.value.message.endswith("run cancel again with delete_routes true")
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLED
    assert len(world.routes_of(TOKYO.number)) == 1
    again = world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid, delete_routes=True)
    assert (again.outcome, again.routes_deleted) == ("already_cancelled", 1)
    assert world.routes_of(TOKYO.number) == []
    assert world.xoxzo.calls("cancel") == 1


def test_cancel_of_a_number_only_xoxzo_has_keeps_a_record_of_it(world: World) -> None:
    world.xoxzo.holds(OSAKA, ROTATED_URL)  # this stack's API: ours, though not recorded here

    with pytest.raises(InvalidRequestError, match="must equal the din_uid"):
        world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.number)  # no record to check it against
    result = world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.din_uid)

    assert result.outcome == "cancelled"
    record = world.record(OSAKA.din_uid)
    assert (record.status, record.number) == (NumberStatus.CANCELLED, OSAKA.number)


@pytest.mark.parametrize("status", [None, NumberStatus.MISSING_AT_XOXZO])
def test_cancel_never_cancels_a_number_another_stack_points_at(
    world: World, status: NumberStatus | None
) -> None:
    # The confirmation is a typo guard, not proof of ownership: `list` shows the whole account.
    world.xoxzo.holds(OSAKA, PROD_URL)
    if status is not None:
        world.seed(OSAKA, status)

    with pytest.raises(ForeignNumberError, match="Nothing was cancelled"):
        world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.din_uid)

    assert world.xoxzo.calls("cancel") == 0
    assert OSAKA.din_uid in world.xoxzo.subscribed
    if status is None:
        assert world.numbers.get(OSAKA.din_uid) is None
    else:
        assert world.record(OSAKA.din_uid).status is status

    # Taken over explicitly first, it is ours to cancel.
    world.provisioner.sync(adopt=[OSAKA.din_uid])
    assert world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.number).outcome == "cancelled"


def test_cancel_refuses_numbers_that_were_never_ours(world: World) -> None:
    world.seed(TOKYO, NumberStatus.FAILED)
    with pytest.raises(NotHeldError):
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)
    with pytest.raises(NotHeldError):
        world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.din_uid)
    assert world.xoxzo.calls("cancel") == 0


@pytest.mark.parametrize("held", [True, False], ids=["recorded", "not-recorded"])
def test_a_cancel_without_usable_credentials_writes_no_intent(world: World, held: bool) -> None:
    world.xoxzo.holds(TOKYO, ACTION_URL)
    if held:
        world.seed(TOKYO, NumberStatus.ACTIVE, action_url=ACTION_URL)

    def placeholder_secret() -> Any:
        raise XoxzoCredentialsError("XOXZO credentials unusable: sid is still the REPLACE_ME placeholder")

    provisioner = world.make(client=None, client_factory=placeholder_secret)
    with pytest.raises(XoxzoCredentialsError):
        provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    # Nothing was sent, so nothing says `cancelling`: set-action-url still works on the number.
    if held:
        assert world.record(TOKYO.din_uid).status is NumberStatus.ACTIVE
        assert world.provisioner.set_action_url(TOKYO.din_uid).set_count == 1
    else:
        assert world.numbers.get(TOKYO.din_uid) is None
    assert world.xoxzo.calls("cancel") == 0


def test_cancelling_a_cancelled_number_again_calls_nothing(world: World) -> None:
    world.seed(TOKYO, NumberStatus.CANCELLED)

    result = world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    assert result.outcome == "already_cancelled"
    assert world.xoxzo.calls("cancel") == 0


def test_cancel_of_an_unrecorded_number_without_an_action_url_needs_adopt(world: World) -> None:
    # Another stack's, between its subscribe and its set-action-url, on the shared XOXZO account.
    world.xoxzo.holds(OSAKA, None)

    with pytest.raises(ForeignNumberError, match="has no action URL yet"):
        world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.din_uid)

    assert world.xoxzo.calls("cancel") == 0 and world.numbers.get(OSAKA.din_uid) is None
    world.provisioner.sync(adopt=[OSAKA.din_uid])
    assert world.record(OSAKA.din_uid).status is NumberStatus.ACTIVE
    assert world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.din_uid).outcome == "cancelled"
