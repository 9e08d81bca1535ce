"""How the provisioning function builds a Provisioner: its settings, the XOXZO credentials secret,
the client settings of each caller and the invocation's time budget.

The handler only picks the settings and the reserve for what it is serving (an operation run by a
person, or CloudFormation's custom resource) and hands over the Lambda context's clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import boto3
from aws_lambda_powertools.utilities import parameters

from xoxzo_din.provisioning.budget import TimeBudget
from xoxzo_din.provisioning.provisioner import Provisioner
from xoxzo_din.provisioning.settings import (
    NUMBERS_TABLE_ENV,
    SECRET_ID_ENV,
    ProvisioningSettings,
)
from xoxzo_din.tables.numbers import NumbersStore
from xoxzo_din.tables.routes_writer import DynamoDbRoutesWriter
from xoxzo_din.tables.schema import ROUTES_TABLE_ENV
from xoxzo_din.xoxzo.client import XoxzoClient
from xoxzo_din.xoxzo.errors import XoxzoCredentialsError
from xoxzo_din.xoxzo.models import ClientSettings, XoxzoCredentials

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
    environment = ProvisioningSettings.from_environment()
    return Provisioner(
        client_factory=lambda: xoxzo_client(settings, budget, environment),
        numbers=numbers_store(environment),
        routes=routes_writer(environment),
        action_url=environment.action_url,
        budget=budget,
    )


def numbers_store(environment: ProvisioningSettings | None = None) -> NumbersStore:
    """The NumbersTable the environment names."""
    environment = environment or ProvisioningSettings.from_environment()
    name = environment.require(environment.numbers_table, NUMBERS_TABLE_ENV)
    return NumbersStore(boto3.resource("dynamodb").Table(name))


def routes_writer(environment: ProvisioningSettings | None = None) -> DynamoDbRoutesWriter:
    """Provisioning's writer of the RoutesTable the environment names."""
    environment = environment or ProvisioningSettings.from_environment()
    name = environment.require(environment.routes_table, ROUTES_TABLE_ENV)
    return DynamoDbRoutesWriter(boto3.resource("dynamodb").Table(name))


def xoxzo_client(
    settings: ClientSettings, budget: TimeBudget, environment: ProvisioningSettings | None = None
) -> XoxzoClient:
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
    environment = environment or ProvisioningSettings.from_environment()
    return XoxzoClient(
        credentials, environment.base_url, settings, deadline=budget.seconds_left, refresh_credentials=refresh
    )


def read_credentials(*, force_fetch: bool = False) -> XoxzoCredentials:
    """The credentials in the secret: cached for SECRET_MAX_AGE_SECONDS, unless `force_fetch`."""
    environment = ProvisioningSettings.from_environment()
    secret: Mapping[str, Any] = parameters.get_secret(
        environment.require(environment.secret_id, SECRET_ID_ENV),
        transform="json",
        max_age=SECRET_MAX_AGE_SECONDS,
        force_fetch=force_fetch,
    )
    if not isinstance(secret, Mapping):
        raise XoxzoCredentialsError("XOXZO credentials unusable: the secret is not a JSON object")
    return XoxzoCredentials.from_mapping(secret)


def fresh_credentials() -> XoxzoCredentials:
    """The credentials as the secret holds them now (the cache is bypassed, then updated)."""
    return read_credentials(force_fetch=True)


def secret_id() -> str:
    """The credentials secret's id, as hints in answers name it."""
    return ProvisioningSettings.from_environment().shown_secret_id()


def own_stack_id() -> str | None:
    """The stack this function belongs to, or None when unknown (local runs, tests)."""
    return ProvisioningSettings.from_environment().stack_id
