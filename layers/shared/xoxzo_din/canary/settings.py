"""The canary function's configuration: every environment variable it reads is named here, and
only here (template.yaml declares each)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from xoxzo_din.routing.actions import Action
from xoxzo_din.routing.settings import FALLBACK_ACTION_ENV, ActionSettings
from xoxzo_din.tables.schema import ROUTES_TABLE_ENV

NUMBERS_TABLE_ENV: Final = "NUMBERS_TABLE_NAME"
ACTION_URL_ENV: Final = "ACTION_URL"
SLOW_MS_ENV: Final = "CANARY_SLOW_MILLISECONDS"
DEFAULT_SLOW_MS: Final = 1000.0

VARIABLES: Final = frozenset(
    {ROUTES_TABLE_ENV, NUMBERS_TABLE_ENV, ACTION_URL_ENV, SLOW_MS_ENV, FALLBACK_ACTION_ENV}
)


@dataclass(frozen=True, slots=True)
class CanarySettings:
    routes_table: str
    numbers_table: str
    action_url: str
    slow_milliseconds: float
    fallback: Action

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] = os.environ) -> CanarySettings:
        raw = environment.get(SLOW_MS_ENV, "")
        slow = float(raw) if raw.replace(".", "", 1).isdigit() and float(raw) > 0 else DEFAULT_SLOW_MS
        line = environment.get(FALLBACK_ACTION_ENV, "")
        return cls(
            routes_table=environment.get(ROUTES_TABLE_ENV, ""),
            numbers_table=environment.get(NUMBERS_TABLE_ENV, ""),
            action_url=environment.get(ACTION_URL_ENV, ""),
            slow_milliseconds=slow,
            # Read as the action function reads its own FALLBACK_ACTION.
            fallback=ActionSettings.from_environment({FALLBACK_ACTION_ENV: line}).fallback,
        )
