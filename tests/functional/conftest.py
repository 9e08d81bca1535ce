"""Fixtures of the functional tests: the routes table, in moto."""

from __future__ import annotations

import boto3
import pytest

from tests.helpers.aws import REGION


@pytest.fixture
def table(tables):
    return boto3.resource("dynamodb", region_name=REGION).Table(tables["ROUTES_TABLE_NAME"])
