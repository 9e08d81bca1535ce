"""Every item of the RoutesTable (or of a routes file), by number: what checks read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from xoxzo_din.tables.schema import GLOBAL_NUMBER, NUMBER

Item = dict[str, Any]


@dataclass(frozen=True)
class Routes:
    """Every item, by number (E.164, or `*` for the global default)."""

    by_number: dict[str, list[Item]]

    def items_of(self, number: str) -> list[Item]:
        return self.by_number.get(number, [])

    @property
    def global_items(self) -> list[Item]:
        return self.items_of(GLOBAL_NUMBER)

    @property
    def numbers(self) -> list[str]:
        return sorted(number for number in self.by_number if number != GLOBAL_NUMBER)


def group(items: Iterable[Item]) -> Routes:
    by_number: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_number[str(item[NUMBER])].append(item)
    return Routes(dict(by_number))
