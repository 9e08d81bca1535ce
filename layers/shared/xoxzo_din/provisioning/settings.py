"""The provisioning function's configuration: every environment variable it reads is named here,
and only here (template.yaml declares each; docs/reference/parameters.md explains them).

Read once per invocation into `ProvisioningSettings`; a missing value is a ConfigurationError when
it is needed (`require`): the table names when the Provisioner is built, the secret id only when
XOXZO is really called. An invalid request is refused before either.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from xoxzo_din.environment import Environment
from xoxzo_din.provisioning.errors import ConfigurationError
from xoxzo_din.tables.schema import ROUTES_TABLE_ENV
from xoxzo_din.xoxzo.endpoints import DEFAULT_BASE_URL

NUMBERS_TABLE_ENV: Final = "NUMBERS_TABLE_NAME"
SECRET_ID_ENV: Final = "XOXZO_CREDENTIALS_SECRET_ID"  # noqa: S105 - a variable name, not a secret
BASE_URL_ENV: Final = "XOXZO_API_BASE_URL"
ACTION_URL_ENV: Final = "ACTION_URL"
# The function's own stack (template.yaml: `STACK_ID: !Ref AWS::StackId`); unset in local runs.
STACK_ID_ENV: Final = "STACK_ID"

# Every variable this function's code reads.
VARIABLES: Final = frozenset(
    {ROUTES_TABLE_ENV, NUMBERS_TABLE_ENV, SECRET_ID_ENV, BASE_URL_ENV, ACTION_URL_ENV, STACK_ID_ENV}
)


@dataclass(frozen=True, slots=True)
class ProvisioningSettings:
    numbers_table: str | None
    routes_table: str | None
    secret_id: str | None
    base_url: str  # XOXZO's, unless a test points it elsewhere
    action_url: str | None  # this stack's action URL, with the secret
    stack_id: str | None  # None: unknown (local runs, tests)

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] = os.environ) -> ProvisioningSettings:
        value = Environment(environment).optional
        return cls(
            numbers_table=value(NUMBERS_TABLE_ENV),
            routes_table=value(ROUTES_TABLE_ENV),
            secret_id=value(SECRET_ID_ENV),
            base_url=value(BASE_URL_ENV) or DEFAULT_BASE_URL,
            action_url=value(ACTION_URL_ENV),
            stack_id=value(STACK_ID_ENV),
        )

    @staticmethod
    def require(value: str | None, name: str) -> str:
        """`value`, the setting of variable `name`; ConfigurationError when it is unset."""
        if not value:
            raise ConfigurationError(f"missing environment variable {name}")
        return value

    def shown_secret_id(self) -> str:
        """The credentials secret's id, as hints in answers name it."""
        return self.secret_id or f"({SECRET_ID_ENV} unset)"
