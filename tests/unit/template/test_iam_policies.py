"""Least privilege, exactly: the SAM transform of template.yaml (run offline) grants each function's
role the actions the code uses on the resources it uses, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tools.sam_expansion import deployed_template, expand_template
from tools.template_tables import load_template

ROOT = Path(__file__).resolve().parents[3]
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
SECRET = {
    "Fn::If": [
        "CreateCredentialsSecret",
        {"Ref": "XoxzoCredentialsSecret"},
        {"Ref": "XoxzoCredentialsSecretArn"},
    ]
}

# Each table: the stack's own, or one kept from a deleted stack (tests/unit/template/test_redeploy.py).
ROUTES = {
    "Fn::If": [
        "CreateRoutesTable",
        {"Fn::GetAtt": ["RoutesTable", "Arn"]},
        {"Fn::Select": [0, {"Fn::Split": ["/stream/", {"Ref": "ExistingRoutesTableStreamArn"}]}]},
    ]
}


def kept(table: str, condition: str, parameter: str) -> dict[str, Any]:
    arn = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${" + parameter + "}"
    return {"Fn::If": [condition, {"Fn::GetAtt": [table, "Arn"]}, {"Fn::Sub": arn}]}


STREAM = {
    "Fn::If": [
        "CreateRoutesTable",
        {"Fn::GetAtt": ["RoutesTable", "StreamArn"]},
        {"Ref": "ExistingRoutesTableStreamArn"},
    ]
}
NUMBERS = kept("NumbersTable", "CreateNumbersTable", "ExistingNumbersTableName")
HISTORY = kept("RoutesHistoryTable", "CreateHistoryTable", "ExistingHistoryTableName")

# What the code does, function by function: (actions, resource).
NEEDED: dict[str, list[tuple[set[str], Any]]] = {
    "ActionFunctionRole": [
        # tables/routes_reader.py: one Query of one partition per read.
        ({"dynamodb:Query"}, ROUTES),
    ],
    "RouteChangesFunctionRole": [
        # route_changes_handler.py: the edited number's items, the history, the alert (and the
        # stream's on-failure destination: the same topic).
        ({"dynamodb:Query"}, ROUTES),
        ({"dynamodb:PutItem", "dynamodb:BatchWriteItem"}, HISTORY),
        (
            {"sns:Publish"},
            {"Fn::If": ["CreateAlarmTopic", {"Ref": "AlarmTopic"}, {"Ref": "ExistingAlarmTopicArn"}]},
        ),
        # Lambda's reading of the stream (the event source mapping): that stream only.
        ({"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}, STREAM),
        ({"dynamodb:ListStreams"}, "*"),  # takes no resource
    ],
    "CanaryFunctionRole": [
        # canary_handler.py: each number's routes, the numbers held.
        ({"dynamodb:Query"}, ROUTES),
        ({"dynamodb:Scan"}, NUMBERS),
    ],
    "ProvisioningFunctionRole": [
        # tables/numbers.py: get, scan (all, active), create (put), update; never delete.
        (
            {"dynamodb:GetItem", "dynamodb:Scan", "dynamodb:PutItem", "dynamodb:UpdateItem"},
            NUMBERS,
        ),
        # tables/routes_writer.py: has_routes/delete_routes query, the default route put, batch deletes.
        (
            {"dynamodb:Query", "dynamodb:PutItem", "dynamodb:BatchWriteItem"},
            ROUTES,
        ),
        # provisioning/runtime.py: the credentials, and their customer-managed key if they have one
        # (through Secrets Manager only).
        ({"secretsmanager:GetSecretValue"}, SECRET),
        ({"kms:Decrypt"}, {"if": "CredentialsUnderOwnKey", "then": {"Ref": "XoxzoCredentialsKmsKeyArn"}}),
    ],
}


@pytest.fixture(scope="module")
def expanded() -> dict[str, Any]:
    return expand_template({"ActionSecretA": "x" * 40})


def granted(role: dict[str, Any]) -> list[tuple[set[str], Any]]:
    found = []
    for policy in role["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            condition = None
            if "Fn::If" in statement:  # a statement only under a condition, else no statement
                condition, statement, otherwise = statement["Fn::If"]  # noqa: PLW2901
                assert otherwise == {"Ref": "AWS::NoValue"}
            assert statement["Effect"] == "Allow"
            actions, resource = statement["Action"], statement["Resource"]
            if condition is not None:
                resource = {"if": condition, "then": resource}
            found.append(({actions} if isinstance(actions, str) else set(actions), resource))
    return found


@pytest.mark.parametrize("role", sorted(NEEDED))
def test_each_function_is_granted_exactly_what_its_code_uses(expanded, role):
    properties = expanded[role]["Properties"]
    # Only the logs' managed policy (the stream reader's own role names it for its partition).
    basic = (
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
        if role == "RouteChangesFunctionRole"
        else BASIC_EXECUTION
    )
    assert properties["ManagedPolicyArns"] == [basic]
    needed: list[tuple[set[str], Any]] = NEEDED[role]

    def key(grant: tuple[set[str], Any]) -> tuple[list[str], str]:  # sets print in any order
        return sorted(grant[0]), repr(grant[1])

    assert sorted(granted(expanded[role]), key=key) == sorted(needed, key=key)


def test_the_numbers_records_can_never_be_deleted_by_the_function(expanded):
    actions = {action for actions, _ in granted(expanded["ProvisioningFunctionRole"]) for action in actions}
    assert not {"dynamodb:DeleteItem", "dynamodb:*"} & actions


def test_the_credentials_secret_and_the_provisioning_logs_outlive_the_stack(expanded):
    # RetainExceptOnCreate: kept when the stack is deleted, but a first create that fails leaves
    # nothing behind (a retry would otherwise find a table of the same name in its way).
    for name in ("XoxzoCredentialsSecret", "RoutesTable", "NumbersTable"):
        policies = (expanded[name]["DeletionPolicy"], expanded[name]["UpdateReplacePolicy"])
        assert policies == ("RetainExceptOnCreate", "Retain"), name
    assert expanded["ProvisioningFunctionLogGroup"]["DeletionPolicy"] == "RetainExceptOnCreate"
    assert expanded["ActionFunctionLogGroup"]["DeletionPolicy"] == "Delete"


def test_the_operator_policy_invokes_provisioning_and_edits_routes_only(expanded):
    statements = expanded["OperatorPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    by_sid = {
        s["Sid"]: (set(s["Action"]) if isinstance(s["Action"], list) else {s["Action"]}, s["Resource"])
        for s in statements
    }
    assert by_sid["Provision"] == ({"lambda:InvokeFunction"}, {"Fn::GetAtt": ["ProvisioningFunction", "Arn"]})
    assert (
        "dynamodb:DeleteItem" in by_sid["EditRoutes"][0]
        and "dynamodb:DeleteItem" not in by_sid["ReadNumbersRecords"][0]
    )
    assert all(not any(action.endswith("*") for action in actions) for actions, _ in by_sid.values())


def test_a_customer_managed_key_is_usable_through_secrets_manager_only():
    key = "arn:aws:kms:ap-northeast-1:123456789012:key/12345678-1234-1234-1234-123456789012"
    parameters = {
        "ActionSecretA": "x" * 40,
        "XoxzoCredentialsSecretArn": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:xoxzo-AbCdEf",
        "XoxzoCredentialsKmsKeyArn": key,
    }
    role = deployed_template(parameters)["Resources"]["ProvisioningFunctionRole"]
    statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert [s for s in statements if s["Action"] == "kms:Decrypt"] == [
        {
            "Sid": "XoxzoCredentialsKey",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key,
            "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.ap-northeast-1.amazonaws.com"}},
        }
    ]
    without = deployed_template({"ActionSecretA": "x" * 40})["Resources"]["ProvisioningFunctionRole"]
    assert "kms:" not in str(without["Properties"]["Policies"])
    rule = load_template()["Rules"]["OwnKeyOnlyForAnExistingSecret"]
    assert rule["Assertions"][0]["Assert"] == [["XoxzoCredentialsSecretArn", ""]]
    assert re.fullmatch(load_template()["Parameters"]["XoxzoCredentialsKmsKeyArn"]["AllowedPattern"], key)
    assert not re.fullmatch(
        load_template()["Parameters"]["XoxzoCredentialsKmsKeyArn"]["AllowedPattern"], "alias/mine"
    )
