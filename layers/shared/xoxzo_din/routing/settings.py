"""The action function's configuration (from its environment) and the router built from it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xoxzo_din.access import MIN_SECRET_LENGTH
from xoxzo_din.actions import Action, ActionError, Say, parse_action_line
from xoxzo_din.router import Router
from xoxzo_din.routes_store import RoutesReader, create_dynamodb_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# What a caller hears when nothing else can be found and FALLBACK_ACTION is empty or invalid.
BUILTIN_FALLBACK = Say("ja", "ただいま電話に出ることができません。しばらくしてからおかけ直しください。")
DEFAULT_ROUTE_CACHE_TTL_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ActionSettings:
    routes_table: str
    secrets: tuple[str, ...]
    fallback: Action
    route_cache_ttl_seconds: float
    problems: tuple[str, ...] = ()  # configuration mistakes to log at start-up

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] = os.environ) -> ActionSettings:
        problems: list[str] = []
        secrets = tuple(
            secret
            for name in ("ACTION_SECRET", "ACTION_SECRET_PREVIOUS")
            if (secret := environment.get(name, "").strip())
        )
        if short := [secret for secret in secrets if len(secret) < MIN_SECRET_LENGTH]:
            problems.append(f"{len(short)} action secret(s) shorter than {MIN_SECRET_LENGTH} ignored")
            secrets = tuple(secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH)
        if not secrets:
            problems.append("no valid ACTION_SECRET: every request is refused")

        fallback: Action = BUILTIN_FALLBACK
        if line := environment.get("FALLBACK_ACTION", "").strip():
            try:
                fallback = parse_action_line(line)
            except ActionError as error:
                problems.append(f"FALLBACK_ACTION ignored, using the built-in one: {error}")

        ttl = DEFAULT_ROUTE_CACHE_TTL_SECONDS
        raw_ttl = environment.get("ROUTE_CACHE_TTL_SECONDS", "")
        try:
            ttl = float(raw_ttl) if raw_ttl else ttl
        except ValueError:
            problems.append(f"ROUTE_CACHE_TTL_SECONDS {raw_ttl!r} is not a number, using {ttl:g}")
        if not 0 <= ttl <= 3600:
            problems.append(f"ROUTE_CACHE_TTL_SECONDS {ttl:g} out of 0..3600, using the default")
            ttl = DEFAULT_ROUTE_CACHE_TTL_SECONDS

        routes_table = environment.get("ROUTES_TABLE_NAME", "")
        if not routes_table:
            problems.append("ROUTES_TABLE_NAME is not set: every call gets the fallback action")
        return cls(routes_table, secrets, fallback, ttl, tuple(problems))


def build_router(
    settings: ActionSettings, client: DynamoDBClient | None = None
) -> tuple[Router, RoutesReader]:
    reader = RoutesReader(client or create_dynamodb_client(), settings.routes_table)
    router = Router(
        reader.read_number,
        reader.read_global,
        fallback=settings.fallback,
        ttl_seconds=settings.route_cache_ttl_seconds,
        read_global_at_start=reader.read_global_once,
    )
    return router, reader
