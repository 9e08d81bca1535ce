"""Fixtures shared by every test layer: fake AWS credentials, moto, and tables built from template.yaml."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from tests.helpers.aws import REGION
from tools.template_tables import create_all_tables
from tools.xoxzo_emulator import XoxzoEmulator


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never let a test reach a real AWS account, whatever the developer's shell has."""
    for variable in list(os.environ):
        if variable.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE")):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "XoxzoDinTest")
    monkeypatch.setenv("POWERTOOLS_DEV", "false")


@pytest.fixture
def mocked_aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def tables(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every table of template.yaml, created in moto; the functions' env vars point at them.

    Returns {environment variable: table name}, e.g. {"ROUTES_TABLE_NAME": "test-RoutesTable"}.
    """
    names = create_all_tables(boto3.client("dynamodb", region_name=REGION), prefix="test")
    for variable, table_name in names.items():
        monkeypatch.setenv(variable, table_name)
    return names


@pytest.fixture
def xoxzo_emulator() -> Iterator[XoxzoEmulator]:
    """A running local XOXZO DIN API emulator (tools/xoxzo_emulator.py), stopped afterwards."""
    with XoxzoEmulator() as emulator:
        yield emulator
