"""list against an in-memory XOXZO and the template's tables in moto: the drift it shows per number."""

from __future__ import annotations

from tests.functional.provisioning.world import (
    ACTION_URL,
    IP_PHONE,
    OSAKA,
    OTHER_URL,
    TOKYO,
    World,
)
from xoxzo_din.provisioning.results import redact_url
from xoxzo_din.tables.numbers import NumberStatus
from xoxzo_din.xoxzo.models import AvailableDin


def test_list_shows_drift_per_number(world: World) -> None:
    world.xoxzo.holds(TOKYO, ACTION_URL)
    world.seed(TOKYO, NumberStatus.ACTIVE, action_url=ACTION_URL)  # in sync
    world.xoxzo.holds(OSAKA, OTHER_URL)  # only at XOXZO
    world.seed(IP_PHONE, NumberStatus.ACTIVE, action_url=ACTION_URL)  # only ours
    stray = AvailableDin("JPstray000000001", "+815099990000", "81", "50", 650.0, 1.0)
    world.xoxzo.holds(stray, OTHER_URL)
    world.seed(stray, NumberStatus.FAILED, action_url=ACTION_URL)  # status and URL differ
    gone = AvailableDin("JPgone0000000001", "+815088880000", "81", "50", 650.0, 1.0)
    world.seed(gone, NumberStatus.CANCELLED)  # history, no drift

    listing = {entry.din_uid: entry for entry in world.provisioner.list_numbers().numbers}

    assert listing[TOKYO.din_uid].drift == []
    assert listing[OSAKA.din_uid].drift == ["only_at_xoxzo", "action_url_not_this_stack"]
    assert listing[IP_PHONE.din_uid].drift == ["only_ours"]
    assert listing[stray.din_uid].drift == [
        "status_mismatch",
        "action_url_differs",
        "action_url_not_this_stack",
    ]
    assert listing[gone.din_uid].drift == []
    assert listing[OSAKA.din_uid].status is None and listing[OSAKA.din_uid].number == OSAKA.number
    assert listing[TOKYO.din_uid].action_url_at_xoxzo == redact_url(ACTION_URL)
