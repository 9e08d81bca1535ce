"""Custom::ActionUrlSync's answers (docs/explanation/deploy-time-repointing.md), with a stand-in
provisioner and answer channel: no I/O. Every request is answered; Delete needs nothing built."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from xoxzo_din.deploy.action_url_sync import (
    DATA_TEXT_MAX_CHARS,
    FAILED,
    PHYSICAL_RESOURCE_ID,
    SUCCESS,
    is_custom_resource_event,
    serve,
)
from xoxzo_din.provisioning.requests import SetActionUrlRequest
from xoxzo_din.provisioning.results import PointOutcome, SetActionUrlResult

STACK = "arn:aws:cloudformation:ap-northeast-1:123456789012:stack/xoxzo-din-dev/0000"
URL = "https://abc.execute-api.ap-northeast-1.amazonaws.com/action/" + "s" * 43


def request(kind: str, **changes: Any) -> dict[str, Any]:
    event = {
        "RequestType": kind,
        "ResponseURL": "https://cloudformation-answers.example/presigned",
        "StackId": STACK,
        "RequestId": "r1",
        "LogicalResourceId": "ActionUrlSync",
        "ResourceType": "Custom::ActionUrlSync",
        "ResourceProperties": {"ServiceToken": "arn", "ActionUrl": URL},
    }
    return {**event, **changes}


class Provisioner:
    def __init__(self, outcomes: list[PointOutcome] | Exception) -> None:
        self.outcomes = outcomes
        self.requests: list[SetActionUrlRequest] = []

    def execute(self, asked: SetActionUrlRequest) -> SetActionUrlResult:
        self.requests.append(asked)
        if isinstance(self.outcomes, Exception):
            raise self.outcomes
        count = lambda kind: sum(o.outcome == kind for o in self.outcomes)  # noqa: E731
        return SetActionUrlResult("redacted", self.outcomes, count("set"), count("failed"), count("skipped"))


def answer(event: Mapping[str, Any], provisioner: Provisioner | None = None, own: str | None = STACK):
    sent: list[tuple[str, Mapping[str, Any]]] = []

    def never_built() -> Any:
        raise AssertionError("nothing is built for this request")

    def send(url: str, body: Mapping[str, Any]) -> bool:
        sent.append((url, body))
        return True

    result = serve(
        event,
        # A stand-in with the one method serve calls.
        build_provisioner=(lambda: provisioner) if provisioner else never_built,  # type: ignore[arg-type,return-value]
        own_stack_id=own,
        secret_id="the-secret",
        log_stream_name="stream-1",
        send=send,
    )
    assert [url for url, _ in sent] == [event["ResponseURL"]]  # always answered, once
    return result


def test_a_delete_is_answered_at_once_and_builds_nothing():
    result = answer(request("Delete", PhysicalResourceId=PHYSICAL_RESOURCE_ID))
    assert result.body["Status"] == SUCCESS and result.delivered
    assert result.body["PhysicalResourceId"] == PHYSICAL_RESOURCE_ID


def test_a_delete_of_another_resource_type_succeeds_too():
    """The previous release's Custom::SettingsDigest is deleted by an upgrade: nothing to do."""
    result = answer(request("Delete", ResourceType="Custom::SettingsDigest", PhysicalResourceId="digest"))
    assert (result.body["Status"], result.body["PhysicalResourceId"]) == (SUCCESS, "digest")


@pytest.mark.parametrize("kind", ["Create", "Update"])
def test_create_and_update_point_every_number_at_the_action_url(kind):
    provisioner = Provisioner([PointOutcome("d1", "+81312345678", "set")])
    result = answer(request(kind), provisioner)
    assert result.body["Status"] == SUCCESS
    assert result.body["Data"] == {"Outcome": "ok", "Repointed": "1", "Failed": "0", "Skipped": "0"}
    (asked,) = provisioner.requests
    assert (asked.all_numbers, asked.action_url, asked.force) == (True, URL, True)


def test_numbers_not_repointed_are_reported_but_never_fail_the_deploy():
    outcomes = [PointOutcome("d1", None, "failed", "XOXZO answered 500"), PointOutcome("d2", None, "skipped")]
    result = answer(request("Update"), Provisioner(outcomes))
    assert result.body["Status"] == SUCCESS and result.body["Data"]["Outcome"] == "partial"
    assert result.not_repointed == outcomes
    assert "d1: XOXZO answered 500" in result.body["Data"]["NotRepointed"]


def test_an_unexpected_error_still_answers_success_with_the_error():
    result = answer(request("Update"), Provisioner(RuntimeError("boom " * 1000)))
    assert result.body["Status"] == SUCCESS and result.exception is not None
    assert len(result.body["Data"]["Error"]) <= DATA_TEXT_MAX_CHARS
    assert len(json.dumps(result.body)) < 4096  # CloudFormation refuses larger answers


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (request("Move"), "unknown RequestType 'Move'"),
        (request("Create", StackId=STACK + "-other"), "is not this function's stack"),
        (request("Create", ResourceProperties={"ServiceToken": "arn"}), "the ActionUrl property is required"),
        (request("Create", ResourceProperties={"ActionUrl": "not a url"}), "ActionUrl must be an absolute"),
    ],
)
def test_a_template_error_or_another_stacks_request_fails_without_touching_a_number(event, reason):
    result = answer(event)  # building a provisioner would fail the test
    assert result.body["Status"] == FAILED and reason in result.body["Reason"]


def test_without_an_own_stack_any_stack_is_served():
    provisioner = Provisioner([])
    assert answer(request("Create", StackId="local"), provisioner, own=None).body["Status"] == SUCCESS


def test_the_event_shape_is_recognised():
    assert is_custom_resource_event(request("Create"))
    assert not is_custom_resource_event({"operation": "list"})
    assert not is_custom_resource_event(["RequestType", "ResponseURL"])
