"""The action function's configuration: every environment variable it reads is named here, and only
here (template.yaml declares each; docs/reference/parameters.md explains them), and the router
built from it. Problems are collected, never raised: a call must always be answered."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xoxzo_din.access import MIN_SECRET_LENGTH
from xoxzo_din.environment import Environment
from xoxzo_din.routing.actions import Action, ActionError, Say, parse_action_line
from xoxzo_din.routing.router import Router
from xoxzo_din.tables.routes_reader import RoutesReader, create_dynamodb_client
from xoxzo_din.tables.schema import ROUTES_TABLE_ENV
from xoxzo_din.telemetry import DEFAULT_LEVEL, LEVELS

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# What a caller hears when nothing else can be found and FALLBACK_ACTION is empty or invalid.
BUILTIN_FALLBACK = Say("ja", "ただいま電話に出ることができません。しばらくしてからおかけ直しください。")
DEFAULT_ROUTE_CACHE_TTL_SECONDS = 30.0

# What an ActionSecretA/ActionSecretB parameter says when its slot holds no secret (a NoEcho
# parameter cannot be left empty in `sam deploy --guided`).
NO_SECRET = "none"  # noqa: S105 - the word for "no secret", not one
SECRET_ENV = "ACTION_SECRET"  # noqa: S105 - a variable name, not a secret
PREVIOUS_SECRET_ENV = "ACTION_SECRET_PREVIOUS"  # noqa: S105
FALLBACK_ACTION_ENV = "FALLBACK_ACTION"
ROUTE_CACHE_TTL_ENV = "ROUTE_CACHE_TTL_SECONDS"
# Named as Powertools names them: the function's own logs and metrics read them (telemetry.py).
SERVICE_NAME_ENV = "POWERTOOLS_SERVICE_NAME"
LOG_LEVEL_ENV = "POWERTOOLS_LOG_LEVEL"
METRICS_NAMESPACE_ENV = "POWERTOOLS_METRICS_NAMESPACE"

# Every variable this function's code reads.
VARIABLES = frozenset(
    {
        ROUTES_TABLE_ENV,
        SECRET_ENV,
        PREVIOUS_SECRET_ENV,
        FALLBACK_ACTION_ENV,
        ROUTE_CACHE_TTL_ENV,
        SERVICE_NAME_ENV,
        LOG_LEVEL_ENV,
        METRICS_NAMESPACE_ENV,
    }
)


@dataclass(frozen=True, slots=True)
class ActionSettings:
    routes_table: str
    secrets: tuple[str, ...]
    fallback: Action
    route_cache_ttl_seconds: float
    problems: tuple[str, ...] = ()  # configuration mistakes to log at start-up
    service_name: str = ""  # of every log line and metric
    log_level: str = DEFAULT_LEVEL
    metrics_namespace: str = ""

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] = os.environ) -> ActionSettings:
        env = Environment(environment)
        problems = env.problems
        secrets = tuple(
            secret
            for name in (SECRET_ENV, PREVIOUS_SECRET_ENV)
            if (secret := env.text(name)) and secret != NO_SECRET
        )
        if short := [secret for secret in secrets if len(secret) < MIN_SECRET_LENGTH]:
            problems.append(f"{len(short)} action secret(s) shorter than {MIN_SECRET_LENGTH} ignored")
            secrets = tuple(secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH)
        if not secrets:
            problems.append(f"no valid {SECRET_ENV}: every request is refused")

        fallback = read_fallback(env)

        ttl = env.number(ROUTE_CACHE_TTL_ENV, DEFAULT_ROUTE_CACHE_TTL_SECONDS, minimum=0, maximum=3600)
        routes_table = env.required(ROUTES_TABLE_ENV, "every call gets the fallback action")

        log_level = env.text(LOG_LEVEL_ENV, DEFAULT_LEVEL).upper()
        if log_level not in LEVELS:
            problems.append(f"{LOG_LEVEL_ENV} {log_level!r} is not a log level, using {DEFAULT_LEVEL}")
            log_level = DEFAULT_LEVEL
        namespace = env.required(METRICS_NAMESPACE_ENV, "no metrics are published")
        return cls(
            routes_table,
            secrets,
            fallback,
            ttl,
            tuple(problems),
            service_name=env.text(SERVICE_NAME_ENV),
            log_level=log_level,
            metrics_namespace=namespace,
        )


def read_fallback(env: Environment) -> Action:
    """FALLBACK_ACTION, as every function that must know it reads it: the built-in one when it is
    empty or invalid (a problem then)."""
    if line := env.text(FALLBACK_ACTION_ENV):
        try:
            return parse_action_line(line)
        except ActionError as error:
            env.problems.append(f"{FALLBACK_ACTION_ENV} ignored, using the built-in one: {error}")
    return BUILTIN_FALLBACK


def build_router(
    settings: ActionSettings, client: DynamoDBClient | None = None
) -> tuple[Router, RoutesReader]:
    reader = RoutesReader(client or create_dynamodb_client(), settings.routes_table)
    router = Router(reader, fallback=settings.fallback, ttl_seconds=settings.route_cache_ttl_seconds)
    return router, reader
