"""The one decision of what a caller hears, from the routes table's items: no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

from xoxzo_din.routing.actions import parse_action_line, render
from xoxzo_din.routing.decide import CallRoutes, decide
from xoxzo_din.routing.rules import Call

FALLBACK = parse_action_line("voicemail")
NUMBER = "+81312345678"
AT = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 10:00 in Tokyo
VIP = {"number": NUMBER, "rule_id": "vip", "callers": "09012345678", "action": "transfer +81312340001"}
DEFAULT = {"number": NUMBER, "rule_id": "default", "action": 'say ja "number default"'}
GLOBAL = {"number": "*", "rule_id": "default", "action": 'say ja "global default"'}


def heard(caller: str, items: list[dict[str, str]], global_items: list[dict[str, str]]) -> tuple[str, str]:
    decision = decide(Call.of(caller, AT), CallRoutes.of_items(items, global_items), FALLBACK)
    return render(decision.action), decision.source


def test_a_matching_rule_then_the_number_default_then_the_global_default_then_the_fallback():
    assert heard("09012345678", [VIP, DEFAULT], [GLOBAL]) == ("transfer +81312340001", "rule:vip")
    assert heard("0311112222", [VIP, DEFAULT], [GLOBAL]) == ('say ja "number default"', "number-default")
    assert heard("0311112222", [VIP], [GLOBAL]) == ('say ja "global default"', "global-default")
    assert heard("0311112222", [VIP], []) == ("voicemail", "fallback")


def test_a_malformed_item_is_skipped_and_said_not_decisive():
    broken = {**VIP, "action": "dance"}
    routes = CallRoutes.of_items([broken, DEFAULT], [GLOBAL])
    assert routes.number.problems  # reported, as the router reports it
    assert heard("09012345678", [broken, DEFAULT], [GLOBAL]) == ('say ja "number default"', "number-default")


def test_the_global_partition_is_read_as_the_global_one():
    routes = CallRoutes.of_items([], [GLOBAL])
    assert routes.global_routes.default is not None and routes.number.default is None
