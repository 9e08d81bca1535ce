"""Delete the stack, deploy it again on the tables `sam delete` kept (docs/how-to/deploy-runbook.md#
delete-and-deploy-again): the new stack's functions, configured as template.yaml configures them
for the kept tables (expanded and resolved offline), re-point the numbers at the new URL during the
deploy and answer calls with the routes written before the delete. Moto and the XOXZO emulator."""

from __future__ import annotations

import os
from collections.abc import Callable
from types import ModuleType
from typing import Any

import boto3
import pytest

from tests.integration.provisioning.handler_world import (
    ACTION_URL,
    SUBSCRIBED,
    CloudFormation,
    Context,
    at_xoxzo,
    event,
)
from tools.local_env import put_route_items
from tools.local_server import LocalLambdaContext, http_api_event
from tools.sam_expansion import deployed_template
from tools.xoxzo_emulator import XoxzoEmulator
from xoxzo_din.tables.schema import DEFAULT_RULE_ID

SUBSCRIBED_NATIONAL = "0345678901"  # subscribe.json's number, as XOXZO sends it
NEW_SECRET = "n" * 43
NEW_API = "newapi5678"
NEW_STACK = "arn:aws:cloudformation:ap-northeast-1:123456789012:stack/xoxzo-din-dev/9f8e7d6c-4000"


def new_stack() -> dict[str, Any]:
    """The redeployed stack, given the kept tables (the old stack's: the tables fixture's) as the
    runbook says."""
    routes_table = os.environ["ROUTES_TABLE_NAME"]
    stream = f"arn:aws:dynamodb:ap-northeast-1:123456789012:table/{routes_table}/stream/2026-12-01T00:00"
    return deployed_template(
        {
            "ActionSecretA": NEW_SECRET,
            "ExistingRoutesTableStreamArn": stream,
            "ExistingNumbersTableName": os.environ["NUMBERS_TABLE_NAME"],
            "ExistingHistoryTableName": os.environ["HISTORY_TABLE_NAME"],
        },
        stack_id=NEW_STACK,
    )


def configure(function: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The function's environment as deployed (the local AWS endpoint left as the tests have it)."""
    for name, value in function["Properties"]["Environment"]["Variables"].items():
        if name not in ("AWS_ENDPOINT_URL", "POWERTOOLS_METRICS_NAMESPACE", "XOXZO_API_BASE_URL"):
            if name.endswith("SECRET_ID"):
                continue  # the credentials: the emulator's, stored by the fixture
            monkeypatch.setenv(name, str(value).replace("<ActionApi.Ref>", NEW_API))


def test_a_stack_deployed_again_on_the_kept_tables_repoints_the_numbers_and_answers_the_old_routes(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    cloudformation: CloudFormation,
    load_action_handler: Callable[[], ModuleType],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The old stack: a number subscribed (pointed at the old URL), its routes edited by hand.
    old = load_handler()
    assert old.lambda_handler(event("subscribe.json"), Context())["ok"] is True
    number = old.lambda_handler(event("list.json"), Context())["result"]["numbers"][0]["number"]
    put_route_items(
        boto3.client("dynamodb"),
        os.environ["ROUTES_TABLE_NAME"],
        [{"number": number, "rule_id": DEFAULT_RULE_ID, "action": "transfer +81312340000"}],
    )
    # sam delete: the custom resource's delete touches no number; the tables stay (Retain).
    deleted = old.lambda_handler(
        event("custom-resource/delete.json", ResponseURL=cloudformation.url), Context()
    )
    assert deleted["Status"] == "SUCCESS" and at_xoxzo(provisioning_env) == {SUBSCRIBED: ACTION_URL}

    # sam deploy again, with the three kept tables.
    stack = new_stack()
    assert not {"RoutesTable", "NumbersTable", "RoutesHistoryTable"} & set(stack["Resources"])
    configure(stack["Resources"]["ProvisioningFunction"], monkeypatch)
    sync = stack["Resources"]["ActionUrlSync"]["Properties"]
    new_url = sync["ActionUrl"].replace("<ActionApi.Ref>", NEW_API)
    create = event("custom-resource/create.json", ResponseURL=cloudformation.url, StackId=NEW_STACK)
    create["ResourceProperties"] = {**create["ResourceProperties"], "ActionUrl": new_url}
    created = load_handler().lambda_handler(create, Context())
    assert created["Status"] == "SUCCESS" and created["Data"]["Repointed"] == "1", created
    assert at_xoxzo(provisioning_env) == {SUBSCRIBED: new_url}  # XOXZO now calls the new stack

    configure(stack["Resources"]["ActionFunction"], monkeypatch)
    action = load_action_handler()
    call = http_api_event(
        "GET", f"/action/{NEW_SECRET}?caller=09012345678&recipient={SUBSCRIBED_NATIONAL}", {}, "203.0.113.1"
    )
    answer = action.lambda_handler(call, LocalLambdaContext("ActionFunction"))
    assert (answer["statusCode"], answer["body"]) == (200, "transfer +81312340000")  # not the fallback
