"""The Provisioner facade against an in-memory XOXZO and the template's tables in moto: its keyword
methods check every field before XOXZO's client is built."""

from __future__ import annotations

import pytest

from tests.functional.provisioning.world import (
    World,
    never_called,
)
from xoxzo_din.provisioning.errors import (
    InvalidRequestError,
)


def test_invalid_input_lists_every_problem_and_never_builds_the_client(world: World) -> None:
    provisioner = world.make(client=None, client_factory=never_called)

    with pytest.raises(InvalidRequestError) as search_error:
        provisioner.search(country="Japan", prefix="03-")
    with pytest.raises(InvalidRequestError) as subscribe_error:
        provisioner.subscribe("../etc")
    with pytest.raises(InvalidRequestError) as point_error:
        provisioner.set_action_url("JPx", all_numbers=True, action_url="ftp://x")
    with pytest.raises(InvalidRequestError) as cancel_error:
        provisioner.cancel("a b", confirm="")

    assert len(search_error.value.problems) == 2
    assert len(subscribe_error.value.problems) == 1
    assert len(point_error.value.problems) == 2
    assert len(cancel_error.value.problems) == 2
