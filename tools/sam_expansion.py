"""template.yaml as CloudFormation receives it: expanded by the SAM translator, offline (the
translator wants a boto3 Session only for the region name; it makes no request)."""

from __future__ import annotations

from typing import Any

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

from tools.template_tables import TEMPLATE_PATH


def expand_template(parameter_values: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    """The expanded template's resources (of template.yaml, or of `text`), with local code paths
    replaced as `sam package` does."""
    template = yaml_parse(TEMPLATE_PATH.read_text(encoding="utf-8") if text is None else text)
    for resource in template["Resources"].values():
        for key in ("CodeUri", "ContentUri"):
            if key in resource.get("Properties", {}):
                resource["Properties"][key] = "s3://bucket/key"
    translator = Translator({}, Parser(), boto_session=boto3.Session(region_name="ap-northeast-1"))
    resources: dict[str, Any] = translator.translate(
        sam_template=template, parameter_values=parameter_values
    )["Resources"]
    return resources
