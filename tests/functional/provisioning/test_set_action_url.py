"""set-action-url against an in-memory XOXZO and the template's tables in moto: which numbers it
points, and what it skips or refuses."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.functional.provisioning.world import (
    IP_PHONE,
    OSAKA,
    OTHER_URL,
    TOKYO,
    World,
    never_called,
)
from xoxzo_din.provisioning.budget import TimeBudget
from xoxzo_din.provisioning.errors import (
    InvalidRequestError,
    NotHeldError,
)
from xoxzo_din.provisioning.results import redact_url
from xoxzo_din.tables.numbers import NumberStatus
from xoxzo_din.xoxzo.errors import (
    XoxzoAuthError,
)


def test_set_action_url_refuses_a_number_we_do_not_hold(world: World) -> None:
    world.xoxzo.holds(TOKYO)
    provisioner = world.make(client=None, client_factory=never_called)

    with pytest.raises(NotHeldError, match="run sync"):
        provisioner.set_action_url(TOKYO.din_uid)


def test_set_action_url_for_all_goes_on_after_a_failure_and_reports_it(world: World) -> None:
    for din in (TOKYO, IP_PHONE, OSAKA):
        world.xoxzo.holds(din)
        world.seed(din, NumberStatus.ACTIVE)
    world.seed(replace(TOKYO, din_uid="JPcancelled00000"), NumberStatus.CANCELLED)
    world.xoxzo.fail("set_action_url", XoxzoAuthError(401, {"detail": "no"}, "POST", "/x/"))

    result = world.provisioner.set_action_url(all_numbers=True, action_url=OTHER_URL, force=True)

    assert (result.set_count, result.failed_count, result.skipped_count) == (2, 1, 0)
    assert world.xoxzo.calls("set_action_url") == 3  # cancelled numbers are not pointed
    failed = [outcome for outcome in result.numbers if outcome.outcome == "failed"]
    assert failed[0].error is not None and "HTTP 401" in failed[0].error
    pointed = [din for din, sub in world.xoxzo.subscribed.items() if sub.action_url == OTHER_URL]
    assert sorted(pointed) == sorted(
        outcome.din_uid for outcome in result.numbers if outcome.outcome == "set"
    )
    assert result.action_url == redact_url(OTHER_URL)


def test_set_action_url_stops_calling_xoxzo_when_time_runs_out(world: World) -> None:
    for din in (TOKYO, IP_PHONE):
        world.xoxzo.holds(din)
        world.seed(din, NumberStatus.ACTIVE)
    seconds_left = iter([30.0, 5.0])  # time for one attempt of 10 s, then not

    provisioner = world.make(budget=TimeBudget(lambda: next(seconds_left), attempt_seconds=10.0))
    result = provisioner.set_action_url(all_numbers=True)

    assert (result.set_count, result.skipped_count) == (1, 1)
    assert world.xoxzo.calls("set_action_url") == 1


def test_pointing_all_of_zero_numbers_needs_no_credentials(world: World) -> None:
    provisioner = world.make(client=None, client_factory=never_called)

    result = provisioner.set_action_url(all_numbers=True)

    assert result.numbers == []


def test_another_servers_url_needs_force(world: World) -> None:
    world.xoxzo.holds(TOKYO)
    world.seed(TOKYO, NumberStatus.ACTIVE)
    with pytest.raises(InvalidRequestError) as refused:
        world.provisioner.set_action_url(all_numbers=True, action_url="http://evil.example/")
    assert "not this stack's API" in str(refused.value) and '"force": true' in str(refused.value)
    assert (
        world.provisioner.set_action_url(
            all_numbers=True, action_url="http://evil.example/", force=True
        ).set_count
        == 1
    )
