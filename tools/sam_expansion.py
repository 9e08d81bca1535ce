"""template.yaml as CloudFormation receives it: expanded by the SAM translator, offline (the
translator wants a boto3 Session only for the region name; it makes no request)."""

from __future__ import annotations

from typing import Any

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

from tools.template_tables import TEMPLATE_PATH


def expand_template(
    parameter_values: dict[str, Any],
    text: str | None = None,
    code: str = "s3://bucket/code",
    layer: str = "s3://bucket/layer",
) -> dict[str, Any]:
    """The expanded template's resources (of template.yaml, or of `text`), with the functions' local
    code paths replaced by `code` and the layer's by `layer`, as `sam package` does (a new build of
    the functions' code, or of the layer: another `code` or `layer`)."""
    template = yaml_parse(TEMPLATE_PATH.read_text(encoding="utf-8") if text is None else text)
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if "CodeUri" in properties:
            properties["CodeUri"] = code
        if "ContentUri" in properties:
            properties["ContentUri"] = layer
    translator = Translator({}, Parser(), boto_session=boto3.Session(region_name="ap-northeast-1"))
    resources: dict[str, Any] = translator.translate(
        sam_template=template, parameter_values=parameter_values
    )["Resources"]
    return resources


# What a first deploy answers for the parameters without a default (docs/how-to/deploy.md): the
# stack's own tables.
OWN_TABLES: dict[str, str] = {
    "ExistingRoutesTableStreamArn": "own",
    "ExistingNumbersTableName": "own",
    "ExistingHistoryTableName": "own",
}


class _Placeholders(dict[str, Any]):
    """Any attribute of any resource (Fn::GetAtt, Ref) resolves to "<LogicalId.Attribute>"."""

    def get(self, attribute: str, default: Any = None) -> Any:
        return lambda logical_id: f"<{logical_id}.{attribute}>"


def deployed_template(
    parameter_values: dict[str, Any],
    *,
    account: str = "123456789012",
    stack_id: str = "arn:aws:cloudformation:ap-northeast-1:123456789012:stack/xoxzo-din-dev/0000-4000",
    text: str | None = None,
    code: str = "s3://bucket/code",
    layer: str = "s3://bucket/layer",
) -> dict[str, Any]:
    """What a deploy with these parameters creates (of template.yaml, or of `text`, with the code
    and layer of expand_template): the expanded template's resources whose condition holds, and the
    outputs, every intrinsic resolved (by SAM CLI's own resolver) with the parameters and the
    template's defaults (OWN_TABLES for those without one). What only exists once deployed (a
    resource's name or ARN) reads "<LogicalId.Attribute>", so a reference to a resource the deploy
    does not create stands out."""
    from samcli.lib.intrinsic_resolver.intrinsic_property_resolver import IntrinsicResolver  # noqa: PLC0415
    from samcli.lib.intrinsic_resolver.intrinsics_symbol_table import IntrinsicsSymbolTable  # noqa: PLC0415

    template = yaml_parse(TEMPLATE_PATH.read_text(encoding="utf-8") if text is None else text)
    declared = template["Parameters"]
    answers = {
        name: own for name, own in OWN_TABLES.items() if name in declared and "Default" not in declared[name]
    }
    parameter_values = {**answers, **parameter_values}
    values = {
        **{name: p["Default"] for name, p in template["Parameters"].items() if "Default" in p},
        **parameter_values,
        "AWS::Region": "ap-northeast-1",
        "AWS::AccountId": account,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackId": stack_id,
        "AWS::StackName": stack_id.split("/")[1],
    }
    whole = {
        "Parameters": template["Parameters"],
        "Conditions": template.get("Conditions", {}),
        "Mappings": template.get("Mappings", {}),
        "Resources": _marked(expand_template(parameter_values, text, code, layer)),
        "Outputs": template.get("Outputs", {}),
    }
    symbols = IntrinsicsSymbolTable(
        template=whole,
        logical_id_translator=values,
        # Neither may be empty (an empty one means SAM CLI's defaults, which make up ARNs).
        default_type_resolver={"None": {}},
        common_attribute_resolver=_Placeholders(Arn=None),
    )
    resolver = IntrinsicResolver(template=whole, symbol_resolver=symbols)
    resolved: dict[str, Any] = resolver.resolve_template(ignore_errors=False)

    def holds(condition: str) -> bool:
        return bool(resolver.intrinsic_property_resolver({"Fn::If": [condition, True, False]}, False))

    resources = {
        name: _without_no_value(resource)
        for name, resource in resolved["Resources"].items()
        if "Condition" not in whole["Resources"][name] or holds(whole["Resources"][name]["Condition"])
    }
    return {"Resources": resources, "Outputs": resolved["Outputs"]}


# SAM CLI's resolver has no AWS::NoValue: it is resolved as this marker, then its key removed.
_NO_VALUE = "<AWS::NoValue>"


def _marked(value: Any) -> Any:
    if value == {"Ref": "AWS::NoValue"}:
        return _NO_VALUE
    if isinstance(value, dict):
        return {key: _marked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_marked(item) for item in value]
    return value


def _without_no_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_no_value(item) for key, item in value.items() if item != _NO_VALUE}
    if isinstance(value, list):
        return [_without_no_value(item) for item in value if item != _NO_VALUE]
    return value


def including_nested(resources: dict[str, Any]) -> dict[str, Any]:
    """`resources` (deployed_template's) plus the resources of each nested stack whose template is
    a file of this repository, named "Stack/LogicalId", resolved with the parameters it is given."""
    found = dict(resources)
    for name, resource in resources.items():
        location = resource.get("Properties", {}).get("TemplateURL", "")
        path = TEMPLATE_PATH.parent / location
        if resource["Type"] != "AWS::CloudFormation::Stack" or not location or not path.is_file():
            continue
        nested = deployed_template(
            resource["Properties"].get("Parameters", {}), text=path.read_text(encoding="utf-8")
        )
        found.update({f"{name}/{inner}": value for inner, value in nested["Resources"].items()})
    return found
