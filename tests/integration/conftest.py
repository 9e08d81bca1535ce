from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import boto3
import pytest

from tools.local_env import LOCAL_ACTION_SECRET, put_route_items, sample_routes
from tools.local_server import LocalLambdaContext


@pytest.fixture
def seeded_routes(tables: dict[str, str]) -> str:
    """The routes table with tools/sample_routes.json in it; returns its name."""
    table = tables["ROUTES_TABLE_NAME"]
    put_route_items(boto3.client("dynamodb"), table, sample_routes())
    return table


@pytest.fixture
def action_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTION_SECRET", LOCAL_ACTION_SECRET)
    monkeypatch.setenv("ROUTE_CACHE_TTL_SECONDS", "30")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "din-action-test")


@pytest.fixture
def load_action_handler(
    action_env: None, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Callable[[], ModuleType]]:
    """Import the action handler afresh (its module state is a cold start) once the test's
    environment and AWS mocks are in place."""

    def load() -> ModuleType:
        # A service name of its own: Powertools reuses a logger (and its captured stdout) by name.
        monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"din-action-{request.node.name}")
        sys.modules.pop("action_handler", None)
        return importlib.import_module("action_handler")

    yield load
    sys.modules.pop("action_handler", None)


@pytest.fixture
def lambda_context() -> LocalLambdaContext:
    return LocalLambdaContext("ActionFunction")
