"""Provisioned concurrency and SnapStart on the action function: off by default, on through the
`live` alias the API calls, never both (docs/explanation/cold-starts.md)."""

from __future__ import annotations

from typing import Any

import pytest

from tools.sam_expansion import expand_template
from tools.template_tables import load_template

TEMPLATE = load_template()


@pytest.fixture(scope="module")
def expanded() -> dict[str, Any]:
    return expand_template(
        {"ActionSecretA": "x" * 40, "ActionProvisionedConcurrency": 2, "ActionSnapStart": "off"}
    )


def test_both_options_are_off_by_default_and_refused_together():
    parameters = TEMPLATE["Parameters"]
    assert (
        parameters["ActionProvisionedConcurrency"]["Default"],
        parameters["ActionSnapStart"]["Default"],
    ) == (0, "off")
    rule = TEMPLATE["Rules"]["SnapStartOrProvisionedConcurrency"]
    assert rule["RuleCondition"] == ["ActionSnapStart", "on"]
    assert rule["Assertions"][0]["Assert"] == ["ActionProvisionedConcurrency", 0]
    assert TEMPLATE["Conditions"]["KeepActionWarm"] == [["ActionProvisionedConcurrency", 0]]
    assert TEMPLATE["Conditions"]["ActionSnapStartOn"] == ["ActionSnapStart", "on"]


def test_the_api_calls_the_live_alias_where_provisioned_concurrency_is_set(expanded):
    alias = expanded["ActionFunctionAliaslive"]
    assert alias["Type"] == "AWS::Lambda::Alias"
    assert alias["Properties"]["ProvisionedConcurrencyConfig"] == {
        "Fn::If": [
            "KeepActionWarm",
            {"ProvisionedConcurrentExecutions": {"Ref": "ActionProvisionedConcurrency"}},
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert expanded["ActionIntegration"]["Properties"]["IntegrationUri"] == {"Ref": "ActionFunctionAliaslive"}
    assert expanded["ActionApiInvokePermission"]["Properties"]["FunctionName"] == {
        "Ref": "ActionFunctionAliaslive"
    }


def test_snapstart_applies_to_published_versions_only_when_on(expanded):
    assert expanded["ActionFunction"]["Properties"]["SnapStart"] == {
        "ApplyOn": {"Fn::If": ["ActionSnapStartOn", "PublishedVersions", "None"]}
    }
