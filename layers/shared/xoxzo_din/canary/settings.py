"""The canary function's configuration: every environment variable it reads is named here, and
only here (template.yaml declares each)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from xoxzo_din.environment import Environment
from xoxzo_din.routing.actions import Action
from xoxzo_din.routing.settings import FALLBACK_ACTION_ENV, read_fallback
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
        env = Environment(environment)
        return cls(
            routes_table=env.text(ROUTES_TABLE_ENV),
            numbers_table=env.text(NUMBERS_TABLE_ENV),
            action_url=env.text(ACTION_URL_ENV),
            slow_milliseconds=env.number(SLOW_MS_ENV, DEFAULT_SLOW_MS, minimum=1),
            # Read as the action function reads its own FALLBACK_ACTION.
            fallback=read_fallback(env),
        )
