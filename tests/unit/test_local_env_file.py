"""events/local-env.json reaches the functions under `sam local invoke --env-vars`.

SAM CLI passes a function only the variables its template declares (an override of any other
name is dropped without a word), so every override must be declared, and the values must be
those of `make local`'s servers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from samcli.local.lambdafn.env_vars import EnvironmentVariables

from tools.local_env import LOCAL_ACTION_SECRET, LOCAL_ALARM_TOPIC_ARN, LOCAL_CREDENTIALS_SECRET_ID
from tools.template_tables import load_template

LOCAL_ENV_PATH = Path(__file__).resolve().parents[2] / "events" / "local-env.json"
FUNCTIONS = ("ActionFunction", "ProvisioningFunction", "RouteChangesFunction", "CanaryFunction")


def declared_variables(function: str) -> dict[str, Any]:
    template = load_template()
    return {
        **template["Globals"]["Function"]["Environment"]["Variables"],
        **template["Resources"][function]["Properties"]["Environment"]["Variables"],
    }


def resolved_as_sam_local_would(function: str) -> dict[str, str]:
    overrides = json.loads(LOCAL_ENV_PATH.read_text())[function]
    variables = EnvironmentVariables(
        function_name=function,
        function_memory=512,
        function_timeout=10,
        function_handler="handler.lambda_handler",
        variables={name: "" for name in declared_variables(function)},
        shell_env_values={},
        override_values=overrides,
        aws_creds={"region": "ap-northeast-1", "key": "local", "secret": "local"},
    )
    resolved: dict[str, str] = variables.resolve()
    return resolved


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_local_override_is_a_variable_the_template_declares(function: str) -> None:
    overrides = json.loads(LOCAL_ENV_PATH.read_text())[function]
    assert set(overrides) <= set(declared_variables(function))
    resolved = resolved_as_sam_local_would(function)
    assert {name: resolved[name] for name in overrides} == overrides


def test_the_local_values_are_those_of_make_local() -> None:
    action, provisioning, route_changes, canary = (resolved_as_sam_local_would(f) for f in FUNCTIONS)
    for variables in (action, provisioning, route_changes, canary):
        assert variables["AWS_ENDPOINT_URL"] == "http://127.0.0.1:8000"  # local_server --aws-port
        assert variables["ROUTES_TABLE_NAME"] == "local-RoutesTable"  # template_tables prefix
    assert action["ACTION_SECRET"] == LOCAL_ACTION_SECRET
    assert provisioning["NUMBERS_TABLE_NAME"] == "local-NumbersTable"
    assert provisioning["XOXZO_CREDENTIALS_SECRET_ID"] == LOCAL_CREDENTIALS_SECRET_ID
    assert provisioning["XOXZO_API_BASE_URL"] == "http://127.0.0.1:8080"
    assert provisioning["ACTION_URL"] == f"http://127.0.0.1:3000/action/{LOCAL_ACTION_SECRET}"
    assert route_changes["HISTORY_TABLE_NAME"] == "local-RoutesHistoryTable"
    assert route_changes["ALARM_TOPIC_ARN"] == LOCAL_ALARM_TOPIC_ARN  # local_server creates it
    assert canary["NUMBERS_TABLE_NAME"] == "local-NumbersTable"
    assert canary["ACTION_URL"] == provisioning["ACTION_URL"]


def test_every_function_has_a_sample_event():
    events = LOCAL_ENV_PATH.parent
    folders = {
        "ActionFunction": "action",
        "ProvisioningFunction": "provisioning",
        "RouteChangesFunction": "route-changes",
        "CanaryFunction": "canary",
    }
    functions = {
        n for n, r in load_template()["Resources"].items() if r["Type"] == "AWS::Serverless::Function"
    }
    assert set(folders) == functions
    for folder in folders.values():
        assert list((events / folder).glob("*.json")), folder
