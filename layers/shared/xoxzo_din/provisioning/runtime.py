"""How the provisioning function builds a Provisioner: its environment, the XOXZO credentials secret,
the client settings of each caller and the invocation's time budget.

The handler only picks the settings and the reserve for what it is serving (an operation run by a
person, or CloudFormation's custom resource) and hands over the Lambda context's clock.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, Final

import boto3
from aws_lambda_powertools.utilities import parameters

from xoxzo_din.numbers_store import NUMBERS_TABLE_ENV, NumbersStore
from xoxzo_din.provisioning import ROUTES_TABLE_ENV, DynamoDbRoutesWriter, Provisioner, TimeBudget
from xoxzo_din.provisioning_errors import ConfigurationError
from xoxzo_din.xoxzo_api import (
    DEFAULT_BASE_URL,
    ClientSettings,
    XoxzoClient,
    XoxzoCredentials,
    XoxzoCredentialsError,
)

SECRET_ID_ENV: Final = "XOXZO_CREDENTIALS_SECRET_ID"  # noqa: S105 - a variable name, not a secret
BASE_URL_ENV: Final = "XOXZO_API_BASE_URL"
ACTION_URL_ENV: Final = "ACTION_URL"
# The function's own stack (template.yaml: `STACK_ID: !Ref AWS::StackId`); unset in local runs.
STACK_ID_ENV: Final = "STACK_ID"

# Credentials are read at most every 5 minutes per container: a rotated secret is picked up soon,
# and Secrets Manager is not called on every invocation. A cached value that turns out unusable (the
# placeholder, a missing key, or credentials XOXZO answers 401) is read afresh once per invocation:
# fixing the secret as a CredentialsError or XoxzoAuthError answer says works at once.
SECRET_MAX_AGE_SECONDS: Final = 300

# Operations run by a person can wait for XOXZO (the client's defaults); a deployment must not.
OPERATION_CLIENT = ClientSettings()
CUSTOM_RESOURCE_CLIENT = ClientSettings(read_timeout=5.0, max_attempts=2, backoff_max=2.0)

# What an operation keeps after its last XOXZO attempt: its DynamoDB writes (a few, each well under a
# second; deleting a number's routes a few more) and the answer.
OPERATION_RESERVE_SECONDS: Final = 10.0


def time_budget(
    remaining_ms: Callable[[], int], settings: ClientSettings, reserve_seconds: float
) -> TimeBudget:
    """The time left for XOXZO calls: the Lambda's remaining time minus `reserve_seconds`."""
    return TimeBudget.of_lambda(
        remaining_ms, reserve_seconds=reserve_seconds, attempt_seconds=settings.attempt_seconds
    )


def build_provisioner(settings: ClientSettings, budget: TimeBudget) -> Provisioner:
    """A Provisioner on the environment's tables. Built per invocation: provisioning runs rarely, and
    this keeps no state between operators. The XOXZO client (and the secret) only when needed."""
    dynamodb = boto3.resource("dynamodb")
    return Provisioner(
        client_factory=lambda: xoxzo_client(settings, budget),
        numbers=NumbersStore(dynamodb.Table(required_env(NUMBERS_TABLE_ENV))),
        routes=DynamoDbRoutesWriter(dynamodb.Table(required_env(ROUTES_TABLE_ENV))),
        action_url=os.environ.get(ACTION_URL_ENV) or None,
        budget=budget,
    )


def xoxzo_client(settings: ClientSettings, budget: TimeBudget) -> XoxzoClient:
    """The XOXZO client with the credentials from the secret and the budget as its deadline.

    The secret is read afresh at most once per client (one per invocation): when the cached value is
    unusable, or else on XOXZO's first 401 (the client's `refresh_credentials`)."""
    refresh: Callable[[], XoxzoCredentials] | None = fresh_credentials
    try:
        credentials = read_credentials()
    except XoxzoCredentialsError:
        # Perhaps a cached value from before the fix the answer's hint asks for.
        credentials = fresh_credentials()
        refresh = None  # just read: a 401 would not be cured by reading it again
    base_url = os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    return XoxzoClient.with_settings(
        credentials, base_url, settings, deadline=budget.seconds_left, refresh_credentials=refresh
    )


def read_credentials(*, force_fetch: bool = False) -> XoxzoCredentials:
    """The credentials in the secret: cached for SECRET_MAX_AGE_SECONDS, unless `force_fetch`."""
    secret: Mapping[str, Any] = parameters.get_secret(
        required_env(SECRET_ID_ENV), transform="json", max_age=SECRET_MAX_AGE_SECONDS, force_fetch=force_fetch
    )
    if not isinstance(secret, Mapping):
        raise XoxzoCredentialsError("XOXZO credentials unusable: the secret is not a JSON object")
    return XoxzoCredentials.from_mapping(secret)


def fresh_credentials() -> XoxzoCredentials:
    """The credentials as the secret holds them now (the cache is bypassed, then updated)."""
    return read_credentials(force_fetch=True)


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigurationError(f"missing environment variable {name}")
    return value


def secret_id() -> str:
    """The credentials secret's id, as hints in answers name it."""
    return os.environ.get(SECRET_ID_ENV) or f"({SECRET_ID_ENV} unset)"


def own_stack_id() -> str | None:
    """The stack this function belongs to, or None when unknown (local runs, tests)."""
    return os.environ.get(STACK_ID_ENV) or None
