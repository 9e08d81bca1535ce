"""Custom::SettingsDigest through the provisioning handler (ColdStarts: a new digest publishes a new
version of the action function): it answers the digest, touches no number and calls no one."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

from tests.integration.provisioning.handler_world import (
    ACTION_URL,
    SUBSCRIBED,
    CloudFormation,
    Context,
    at_xoxzo,
    event,
)
from tools.xoxzo_emulator import XoxzoEmulator
from xoxzo_din.provisioning.settings_digest import digest

SETTINGS = {
    "Code": "arn:aws:lambda:ap-northeast-1:123456789012:function:action:7",
    "Layer": "arn:aws:lambda:ap-northeast-1:123456789012:layer:shared:3",
    "Environment": {"ACTION_SECRET": "s" * 40, "FALLBACK_ACTION": ""},
}


def digest_event(request_type: str, cloudformation: CloudFormation, **settings: object) -> dict[str, object]:
    return event(
        f"custom-resource/{request_type.lower()}.json",
        ResponseURL=cloudformation.url,
        ResourceType="Custom::SettingsDigest",
        LogicalResourceId="ActionSettingsDigest",
        ResourceProperties={
            "ServiceToken": "arn:aws:lambda:...:provisioning",
            "ServiceTimeout": "300",
            **settings,
        },
    )


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_the_digest_is_answered_and_no_number_is_touched(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    cloudformation: CloudFormation,
    request_type: str,
) -> None:
    handler = load_handler()
    handler.lambda_handler(event("subscribe.json"), Context())
    provisioning_env.clear_requests()

    request = digest_event(request_type, cloudformation, **SETTINGS)
    answer = handler.lambda_handler(request, Context())

    assert answer["Status"] == "SUCCESS", answer
    assert answer["Data"] == {"Outcome": "ok", "Digest": digest(SETTINGS)}
    # Its own id on create; on update, the one CloudFormation sends back.
    assert answer["PhysicalResourceId"] == request.get("PhysicalResourceId", "xoxzo-din-settings-digest")
    assert cloudformation.answers == [answer]
    assert "s" * 40 not in str(answer)  # the secret digested, not echoed
    assert provisioning_env.requests == [] and at_xoxzo(provisioning_env) == {SUBSCRIBED: ACTION_URL}


def test_a_digest_of_nothing_is_refused_and_a_delete_does_nothing(
    load_handler: Callable[[], ModuleType], provisioning_env: XoxzoEmulator, cloudformation: CloudFormation
) -> None:
    handler = load_handler()
    refused = handler.lambda_handler(digest_event("Create", cloudformation), Context())
    assert refused["Status"] == "FAILED" and "needs the settings" in refused["Reason"]
    deleted = handler.lambda_handler(digest_event("Delete", cloudformation, **SETTINGS), Context())
    assert deleted["Status"] == "SUCCESS" and "Digest" not in deleted["Data"]
    assert provisioning_env.requests == []
