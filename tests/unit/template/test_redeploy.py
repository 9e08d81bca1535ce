"""Delete and deploy again without losing the routes or the numbers (docs/how-to/deploy-runbook.md#
delete-and-deploy-again): `sam delete` keeps the three tables, and a new stack given them through
the Existing* parameters uses them everywhere (functions, IAM grants, the stream, outputs) and
creates no new, empty ones. Read from the template as a deploy would see it: expanded by the SAM
translator and resolved by SAM CLI's intrinsic resolver, both offline."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tools.sam_expansion import deployed_template
from tools.template_tables import load_template

SECRET = {"ActionSecretA": "x" * 40}
ACCOUNT = "123456789012"
TABLE_ARN = f"arn:aws:dynamodb:ap-northeast-1:{ACCOUNT}:table/"
STREAM = TABLE_ARN + "xoxzo-din-dev-RoutesTable-1AB2/stream/2026-01-05T09:30:00.123"
KEPT = {
    "ExistingRoutesTableStreamArn": STREAM,
    "ExistingNumbersTableName": "xoxzo-din-dev-NumbersTable-3CD4",
    "ExistingHistoryTableName": "xoxzo-din-dev-RoutesHistoryTable-5EF6",
}
# What each function is told about the tables: (variable, table logical id, kept table's name).
VARIABLES = [
    ("ROUTES_TABLE_NAME", "RoutesTable", "xoxzo-din-dev-RoutesTable-1AB2"),
    ("NUMBERS_TABLE_NAME", "NumbersTable", KEPT["ExistingNumbersTableName"]),
    ("HISTORY_TABLE_NAME", "RoutesHistoryTable", KEPT["ExistingHistoryTableName"]),
]
PARAMETER = {
    "RoutesTable": "ExistingRoutesTableStreamArn",
    "NumbersTable": "ExistingNumbersTableName",
    "RoutesHistoryTable": "ExistingHistoryTableName",
}


def text(deployed: dict[str, Any]) -> str:
    return json.dumps(deployed, ensure_ascii=False)


def table_variables(deployed: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each function's table variables, as deployed."""
    found = {}
    for name, resource in deployed["Resources"].items():
        if resource["Type"] == "AWS::Lambda::Function":
            variables = resource["Properties"]["Environment"]["Variables"]
            found[name] = {v: variables[v] for v, _, _ in VARIABLES if v in variables}
    return found


def dynamodb_grants(deployed: dict[str, Any]) -> set[str]:
    """Every resource an IAM statement with a DynamoDB action names."""
    grants = set()
    for resource in deployed["Resources"].values():
        documents = [p["PolicyDocument"] for p in resource["Properties"].get("Policies", [])]
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            documents.append(resource["Properties"]["PolicyDocument"])
        for document in documents:
            for statement in document["Statement"]:
                actions = (
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )
                if any(action.startswith("dynamodb:") for action in actions):
                    grants.add(statement["Resource"])
    return grants


def test_a_new_stack_creates_its_three_tables_and_uses_them():
    deployed = deployed_template(SECRET)
    assert {"RoutesTable", "NumbersTable", "RoutesHistoryTable"} <= set(deployed["Resources"])
    assert table_variables(deployed)["ActionFunction"] == {"ROUTES_TABLE_NAME": "<RoutesTable.Ref>"}
    tables = {"<RoutesTable.Arn>", "<NumbersTable.Arn>", "<RoutesHistoryTable.Arn>"}
    assert dynamodb_grants(deployed) == tables | {"<RoutesTable.StreamArn>", "*"}  # "*": ListStreams
    stream = deployed["Resources"]["RouteChangesFunctionRouteEdits"]["Properties"]["EventSourceArn"]
    assert stream == "<RoutesTable.StreamArn>"


def test_a_stack_deployed_again_on_the_kept_tables_uses_them_everywhere_and_creates_none():
    deployed = deployed_template(SECRET | KEPT, account=ACCOUNT)
    assert not {"RoutesTable", "NumbersTable", "RoutesHistoryTable"} & set(deployed["Resources"])
    # Nothing deployed refers to a table the deploy does not create (CloudFormation would refuse).
    assert not re.findall(r"<(?:RoutesTable|NumbersTable|RoutesHistoryTable)\.", text(deployed))
    expected = {variable: name for variable, _, name in VARIABLES}
    variables = table_variables(deployed)
    assert variables["ActionFunction"] == {"ROUTES_TABLE_NAME": expected["ROUTES_TABLE_NAME"]}
    assert variables["ProvisioningFunction"] == {
        v: expected[v] for v in ("ROUTES_TABLE_NAME", "NUMBERS_TABLE_NAME")
    }
    assert variables["RouteChangesFunction"] == {
        v: expected[v] for v in ("ROUTES_TABLE_NAME", "HISTORY_TABLE_NAME")
    }
    assert dynamodb_grants(deployed) == {TABLE_ARN + name for _, _, name in VARIABLES} | {STREAM, "*"}
    edits = deployed["Resources"]["RouteChangesFunctionRouteEdits"]["Properties"]
    assert edits["EventSourceArn"] == STREAM  # the kept table's edits are still checked and recorded
    outputs = {name: output["Value"] for name, output in deployed["Outputs"].items()}
    assert (outputs["RoutesTableName"], outputs["RoutesTableStreamArn"]) == (
        expected["ROUTES_TABLE_NAME"],
        STREAM,
    )
    assert (outputs["NumbersTableName"], outputs["HistoryTableName"]) == (
        expected["NUMBERS_TABLE_NAME"],
        expected["HISTORY_TABLE_NAME"],
    )
    # The numbers' records are there, so the deploy itself re-points every number at the new URL.
    assert deployed["Resources"]["ActionUrlSync"]["Properties"]["ActionUrl"].endswith("/action/" + "x" * 40)


@pytest.mark.parametrize(("variable", "table", "name"), VARIABLES)
def test_each_table_can_be_taken_over_on_its_own(variable, table, name):
    parameter = PARAMETER[table]
    deployed = deployed_template(SECRET | {parameter: KEPT[parameter]}, account=ACCOUNT)
    assert table not in deployed["Resources"]
    assert set(PARAMETER) - {table} <= set(deployed["Resources"])
    assert f"<{table}." not in text(deployed)
    assert {values[variable] for values in table_variables(deployed).values() if variable in values} == {name}


def test_the_parameters_take_a_stream_arn_and_table_names_only():
    parameters = load_template()["Parameters"]

    def accepts(parameter: str, value: str) -> bool:
        return re.fullmatch(parameters[parameter]["AllowedPattern"], value) is not None

    # No default: guided asks. own is the stack's own table; empty, what earlier versions saved,
    # means the same.
    assert all("Default" not in parameters[p] for p in PARAMETER.values())
    assert all(accepts(p, "own") and accepts(p, "") for p in PARAMETER.values())
    assert accepts("ExistingRoutesTableStreamArn", STREAM)
    for wrong in (TABLE_ARN + "xoxzo-din-dev-RoutesTable-1AB2", "xoxzo-din-dev-RoutesTable-1AB2", "stream"):
        assert not accepts("ExistingRoutesTableStreamArn", wrong), wrong
    for parameter in ("ExistingNumbersTableName", "ExistingHistoryTableName"):
        assert accepts(parameter, KEPT[parameter])
        assert not accepts(parameter, TABLE_ARN + KEPT[parameter])  # a name, not an ARN
        assert not accepts(parameter, "a b")
