"""The CloudFormation rules a deploy of this stack relies on, as a small model over two deployed
templates (tools.sam_expansion.deployed_template): what an update creates, replaces, updates and
deletes, and the rules that fail a deploy. Used by the template tests; each rule cites its source
in docs/reference/deploy-rules.md."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Properties whose change replaces the resource (CloudFormation's resource reference, "Update
# requires: Replacement"), for the types this stack deploys. Any other property updates in place.
REPLACING: dict[str, frozenset[str]] = {
    "AWS::Lambda::Permission": frozenset({"Action", "FunctionName", "Principal", "SourceArn"}),
    "AWS::Lambda::Version": frozenset(
        {"FunctionName", "Description", "CodeSha256", "ProvisionedConcurrencyConfig"}
    ),
    "AWS::Lambda::Alias": frozenset({"FunctionName", "Name"}),
    "AWS::Logs::LogGroup": frozenset({"LogGroupName"}),
    "AWS::CloudWatch::Dashboard": frozenset({"DashboardName"}),
    "AWS::DynamoDB::Table": frozenset({"TableName", "KeySchema"}),
    "AWS::ApiGatewayV2::Integration": frozenset({"ApiId"}),
    "AWS::ApiGatewayV2::Route": frozenset({"ApiId"}),
}
# The property that names a resource's physical name, where the template may set it.
NAME_PROPERTY: dict[str, str] = {
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Lambda::Function": "FunctionName",
}


@dataclass(frozen=True)
class Plan:
    created: frozenset[str]
    replaced: frozenset[str]
    updated: frozenset[str]
    deleted: frozenset[str]


def plan(old: dict[str, Any], new: dict[str, Any]) -> Plan:
    """What CloudFormation does to go from the `old` deployed resources to the `new` ones."""
    created, replaced, updated = set(), set(), set()
    for name, resource in new.items():
        if name not in old:
            created.add(name)
            continue
        before, after = old[name].get("Properties", {}), resource.get("Properties", {})
        changed = {key for key in set(before) | set(after) if before.get(key) != after.get(key)}
        if old[name]["Type"] != resource["Type"] or changed & REPLACING.get(resource["Type"], frozenset()):
            replaced.add(name)
        elif changed:
            updated.add(name)
    return Plan(frozenset(created), frozenset(replaced), frozenset(updated), frozenset(set(old) - set(new)))


def version_failures(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """CloudFormation fails an AWS::Lambda::Version created (or replaced) in a deploy in which its
    function's code and configuration did not change since its last published version: "A version
    for this Lambda function exists (N). Modify the function to create a new version." On a first
    create, two Versions of one function fail the same way (the second finds the first's)."""
    steps = plan(old, new)
    failures = []
    publishers: dict[str, list[str]] = {}
    for name in steps.created | steps.replaced:
        resource = new[name]
        if resource["Type"] == "AWS::Lambda::Version":
            publishers.setdefault(json.dumps(resource["Properties"]["FunctionName"]), []).append(name)
    for function, versions in publishers.items():
        target = function.strip('"').removeprefix("<").split(".")[0]
        function_changed = target in steps.created | steps.updated | steps.replaced
        if len(versions) > 1:
            failures.append(f"{sorted(versions)} publish {target} twice in one deploy")
        elif not function_changed:
            failures.append(f"{versions[0]} publishes {target}, which did not change")
    return failures


def name_collisions(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """CloudFormation creates a resource before it deletes the one it replaces or the one that left
    the template: a physical name the template sets, equal to one that still exists at that moment,
    fails the deploy ("already exists"; a custom-named resource cannot be replaced)."""
    steps = plan(old, new)
    still_there = {
        physical: name
        for name, resource in old.items()
        if (physical := _name(resource)) is not None and (name in steps.deleted or name in steps.replaced)
    }
    return [
        f"{name} creates {physical!r}, which {still_there[physical]} still holds"
        for name in sorted(steps.created | steps.replaced)
        if (physical := _name(new[name])) is not None and physical in still_there
    ]


def _name(resource: dict[str, Any]) -> str | None:
    key = NAME_PROPERTY.get(resource["Type"])
    value = resource.get("Properties", {}).get(key) if key else None
    return value if isinstance(value, str) else None
