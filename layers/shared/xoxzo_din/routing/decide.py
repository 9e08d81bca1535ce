"""What a caller hears: the one decision of the call path, for the router and for everything that
must say beforehand what a call will get (the canary, `routes explain`, the calendar, doctor).
How a call is decided: docs/explanation/call-routing.md."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xoxzo_din.routing.actions import Action
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.routing.rules import Call, Decision, NumberRoutes, choose_action


@dataclass(frozen=True, slots=True)
class CallRoutes:
    """What decides a call to one number: its routes and the global ones, parsed."""

    number: NumberRoutes
    global_routes: NumberRoutes

    @classmethod
    def of_items(
        cls, items: Sequence[Mapping[str, Any]], global_items: Sequence[Mapping[str, Any]]
    ) -> CallRoutes:
        """From the items of the routes table: the number's partition and the global one."""
        return cls(parse_number_routes(items), parse_number_routes(global_items, global_partition=True))


def decide(call: Call, routes: CallRoutes, fallback: Action) -> Decision:
    """The first matching rule, else the number's default, the global default, the fallback."""
    return choose_action(call, routes.number, routes.global_routes, fallback)
