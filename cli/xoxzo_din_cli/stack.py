"""Which stack a command works on: the local one of `make local`, or a deployed one chosen the way
SAM users choose it (a samconfig.toml environment, or a stack name and region), read from the
stack's outputs and parameters."""

from __future__ import annotations

import json
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

DEFAULT_LOCAL_URL = "http://127.0.0.1:3001"
LOCAL_STACK_ROUTE = "/local/stack"  # tools/local_server.py serves it
_CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"})


class StackError(Exception):
    """The stack cannot be found or read; the message says what to do."""


@dataclass(frozen=True)
class Stack:
    name: str
    region: str
    outputs: dict[str, str]
    parameters: dict[str, str] = field(default_factory=dict)
    endpoint_url: str | None = None  # local AWS (moto); None for a deployed stack
    lambda_endpoint_url: str | None = None  # local invoke endpoint
    profile: str | None = None
    # The local stack's action function environment (a deployed one is read when needed).
    local_action_environment: dict[str, str] = field(default_factory=dict)
    # Whether the route-changes function keeps the history of this stack's routes: a deployed
    # stack's always does; a local one's only when make local runs it on the table's stream.
    records_history: bool = True

    @property
    def is_local(self) -> bool:
        return self.endpoint_url is not None

    def output(self, key: str) -> str:
        value = self.outputs.get(key)
        if not value:
            raise StackError(f"stack {self.name} has no output {key}: deploy the current template.yaml")
        return value

    def session(self) -> boto3.Session:
        if self.is_local:
            return boto3.Session(
                aws_access_key_id="local",
                aws_secret_access_key="local",  # noqa: S106 - moto takes any
                region_name=self.region,
            )
        return boto3.Session(region_name=self.region, profile_name=self.profile)

    def client(self, service: str, config: Config = _CLIENT_CONFIG) -> Any:
        endpoint = self.lambda_endpoint_url if service == "lambda" else self.endpoint_url
        return self.session().client(service, endpoint_url=endpoint, config=config)  # type: ignore[call-overload]

    def action_environment(self) -> tuple[dict[str, str], datetime | None]:
        """The action function's environment variables, and when its configuration last changed
        (None: unknown). A deployed stack needs lambda:GetFunctionConfiguration."""
        if self.is_local:
            return dict(self.local_action_environment), None
        configuration = self.client("lambda").get_function_configuration(
            FunctionName=self.output("ActionFunctionName")
        )
        modified = configuration.get("LastModified")
        when = datetime.strptime(modified, "%Y-%m-%dT%H:%M:%S.%f%z") if modified else None
        return dict(configuration.get("Environment", {}).get("Variables", {})), when

    def table(self, output_key: str) -> Any:
        resource = self.session().resource("dynamodb", endpoint_url=self.endpoint_url, config=_CLIENT_CONFIG)
        return resource.Table(self.output(output_key))


def local_stack(url: str = DEFAULT_LOCAL_URL) -> Stack:
    """The stack `make local` runs (its invoke endpoint answers GET /local/stack)."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + LOCAL_STACK_ROUTE, timeout=5) as response:  # noqa: S310
            info = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise StackError(
            f"no local stack answers at {url} ({error}): start it with `make local`, or choose a deployed "
            "stack with --config-env ENV or --stack-name NAME --region REGION"
        ) from error
    return Stack(
        name=info["StackName"],
        region=info["Region"],
        outputs=dict(info["Outputs"]),
        parameters=dict(info.get("Parameters") or {}),
        endpoint_url=info["AwsEndpointUrl"],
        lambda_endpoint_url=info["LambdaEndpointUrl"],
        local_action_environment=dict(info.get("ActionFunctionEnvironment") or {}),
        records_history=bool(info.get("RecordsHistory", False)),
    )


def samconfig_stack(config_env: str, config_file: Path, *, region: str | None, profile: str | None) -> Stack:
    """The stack of a samconfig.toml environment (its stack_name, region and profile)."""
    try:
        config = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise StackError(f"cannot read {config_file}: {error}") from error
    environment = config.get(config_env)
    if not isinstance(environment, dict):
        known = ", ".join(name for name, value in config.items() if isinstance(value, dict))
        raise StackError(f"{config_file} has no environment {config_env!r} (it has: {known})")
    merged: dict[str, Any] = {}
    for command in ("global", "deploy"):
        merged |= environment.get(command, {}).get("parameters", {})
    stack_name = merged.get("stack_name")
    if not stack_name:
        raise StackError(f"{config_file} [{config_env}] names no stack_name")
    return deployed_stack(
        stack_name, region=region or merged.get("region"), profile=profile or merged.get("profile")
    )


def deployed_stack(stack_name: str, *, region: str | None, profile: str | None) -> Stack:
    """A deployed stack, read with CloudFormation's DescribeStacks."""
    session = boto3.Session(region_name=region, profile_name=profile)
    if session.region_name is None:
        raise StackError("no region: give --region, or set one in samconfig.toml or your AWS profile")
    try:
        cloudformation = session.client("cloudformation", config=_CLIENT_CONFIG)
        described = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    except Exception as error:  # botocore's errors: credentials, access, no such stack
        raise StackError(f"cannot read stack {stack_name} in {session.region_name}: {error}") from error
    return Stack(
        name=stack_name,
        region=session.region_name,
        outputs={item["OutputKey"]: item["OutputValue"] for item in described.get("Outputs", [])},
        parameters={
            item["ParameterKey"]: item.get("ParameterValue", "") for item in described.get("Parameters", [])
        },
        profile=profile,
    )
