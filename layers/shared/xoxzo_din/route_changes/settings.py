"""The route-changes function's configuration: every environment variable it reads is named here,
and only here (template.yaml declares each)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from xoxzo_din.environment import Environment
from xoxzo_din.tables.schema import ROUTES_TABLE_ENV

HISTORY_TABLE_ENV: Final = "HISTORY_TABLE_NAME"
ALARM_TOPIC_ENV: Final = "ALARM_TOPIC_ARN"
RETENTION_DAYS_ENV: Final = "HISTORY_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS: Final = 365

# Every variable this function's code reads.
VARIABLES: Final = frozenset({ROUTES_TABLE_ENV, HISTORY_TABLE_ENV, ALARM_TOPIC_ENV, RETENTION_DAYS_ENV})


@dataclass(frozen=True, slots=True)
class RouteChangesSettings:
    routes_table: str
    history_table: str
    alarm_topic: str
    retention_days: int

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] = os.environ) -> RouteChangesSettings:
        env = Environment(environment)
        return cls(
            routes_table=env.text(ROUTES_TABLE_ENV),
            history_table=env.text(HISTORY_TABLE_ENV),
            alarm_topic=env.text(ALARM_TOPIC_ENV),
            retention_days=int(env.number(RETENTION_DAYS_ENV, DEFAULT_RETENTION_DAYS, minimum=1, whole=True)),
        )
