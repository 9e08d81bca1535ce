"""Create DynamoDB tables from `template.yaml`'s own definitions (the one place the schemas live).

Used by the tests, the local server and the benchmarks, so that none of them keeps a copy.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "template.yaml"

# The table properties that CreateTable understands as they are (and StreamSpecification, below);
# the rest (PITR, SSE, tags) is deploy-only.
_CREATE_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")


class _CloudFormationLoader(yaml.SafeLoader):
    """A YAML loader that reads CloudFormation short-form tags (!Ref, !Sub, ...) as plain values."""


def _construct_tagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


_CloudFormationLoader.add_multi_constructor("!", _construct_tagged)


@cache
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        template: dict[str, Any] = yaml.load(handle, Loader=_CloudFormationLoader)  # noqa: S506
    return template


def table_definition(logical_id: str) -> dict[str, Any]:
    """CreateTable arguments (without TableName) for the template's table `logical_id`."""
    resource = load_template()["Resources"][logical_id]
    if resource["Type"] != "AWS::DynamoDB::Table":
        raise ValueError(f"{logical_id} is not an AWS::DynamoDB::Table")
    properties = resource["Properties"]
    definition = {key: properties[key] for key in _CREATE_TABLE_KEYS if key in properties}
    if "StreamSpecification" in properties:  # CloudFormation's form lacks the API's StreamEnabled
        definition["StreamSpecification"] = {"StreamEnabled": True, **properties["StreamSpecification"]}
    return definition


def create_table(client: DynamoDBClient, logical_id: str, table_name: str) -> None:
    client.create_table(TableName=table_name, **table_definition(logical_id))
    client.get_waiter("table_exists").wait(TableName=table_name)


def function_environment(logical_id: str) -> dict[str, Any]:
    """The environment variables the template declares for function `logical_id` (Globals merged
    with the function's own), with their (unresolved) values."""
    template = load_template()
    declared = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    function = template["Resources"][logical_id]["Properties"]
    return {**declared, **function.get("Environment", {}).get("Variables", {})}


def function_ids() -> list[str]:
    """The logical ids of the template's functions."""
    resources = load_template()["Resources"]
    return [name for name, resource in resources.items() if resource["Type"] == "AWS::Serverless::Function"]


def table_environment() -> dict[str, str]:
    """{table logical id: the environment variable that gives the functions its name}, as the
    template sets them: `!Ref RoutesTable`, or `!If [CreateRoutesTable, !Ref RoutesTable, <a table
    kept from a deleted stack>]` (tests/unit/template/test_redeploy.py)."""
    resources = load_template()["Resources"]

    def table(value: Any) -> str | None:
        if isinstance(value, list) and len(value) == 3:  # !If [condition, then, else]
            value = value[1]
        is_table = isinstance(value, str) and resources.get(value, {}).get("Type") == "AWS::DynamoDB::Table"
        return value if is_table else None

    return {
        logical_id: variable
        for function in function_ids()
        for variable, value in function_environment(function).items()
        if (logical_id := table(value)) is not None
    }


def create_all_tables(client: DynamoDBClient, prefix: str = "local") -> dict[str, str]:
    """Create every table of the template; return {environment variable: table name}."""
    names: dict[str, str] = {}
    for logical_id, variable in table_environment().items():
        table_name = f"{prefix}-{logical_id}"
        create_table(client, logical_id, table_name)
        names[variable] = table_name
    return names
