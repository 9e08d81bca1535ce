"""A routes source (routing.router.RoutesSource) over functions: what tests give a Router."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Items = list[dict[str, Any]]


@dataclass
class ItemsSource:
    number: Callable[[str], Items]
    global_items: Callable[[], Items] = field(default=list)

    def read_number(self, number: str) -> Items:
        return self.number(number)

    def read_global(self) -> Items:
        return self.global_items()

    def read_global_once(self) -> Items:
        return self.global_items()
