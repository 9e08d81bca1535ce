"""ColdStarts (docs/explanation/cold-starts.md): off by default; provisioned concurrency or SnapStart
serve the alias `live`, on a version published whenever the code or a setting changes. SAM alone
publishes only when the code or the template's text changes, not when a parameter behind the
settings does: the Custom::SettingsDigest of the code version, the layer and the function's whole
environment is what makes a parameter-only deploy (a rotation step) publish. Read through the SAM
translator and SAM CLI's intrinsic resolver, offline."""

from __future__ import annotations

from typing import Any

import pytest

from tools.sam_expansion import deployed_template, expand_template
from tools.template_tables import load_template
from xoxzo_din.provisioning.settings_digest import digest

SECRET_A, SECRET_B = "a" * 40, "b" * 40
LIVE = ("ActionSettingsDigest", "ActionLiveVersion", "ActionLiveAlias")


def deployed(**parameters: str) -> dict[str, Any]:
    resources: dict[str, Any] = deployed_template({"ActionSecretA": SECRET_A, **parameters})["Resources"]
    return resources


def test_by_default_the_api_calls_the_function_and_nothing_is_published_for_it():
    resources = deployed()
    assert not set(LIVE) & set(resources)
    for uri in (
        resources["ActionIntegration"]["Properties"]["IntegrationUri"],
        resources["ActionApiInvokePermission"]["Properties"]["FunctionName"],
    ):
        assert uri == "<ActionFunction.Arn>"
    assert "SnapStart" not in resources["ActionFunction"]["Properties"]


@pytest.mark.parametrize("option", ["provisioned", "snapstart"])
def test_either_option_serves_the_live_alias_on_the_version_of_the_digest(option):
    resources = deployed(ColdStarts=option, ProvisionedEnvironments="2")
    assert set(LIVE) <= set(resources)
    assert resources["ActionIntegration"]["Properties"]["IntegrationUri"] == "<ActionLiveAlias.Ref>"
    assert resources["ActionApiInvokePermission"]["Properties"]["FunctionName"] == "<ActionLiveAlias.Ref>"
    alias = resources["ActionLiveAlias"]["Properties"]
    assert (alias["Name"], alias["FunctionVersion"]) == ("live", "<ActionLiveVersion.Version>")
    version = resources["ActionLiveVersion"]
    assert version["Properties"]["Description"] == "code and settings <ActionSettingsDigest.Digest>"
    # A replaced version is kept: the alias may point at it until the new one is published.
    assert (version["DeletionPolicy"], version["UpdateReplacePolicy"]) == ("Retain", "Retain")
    provisioned = alias.get("ProvisionedConcurrencyConfig")
    snapstart = resources["ActionFunction"]["Properties"].get("SnapStart")
    if option == "provisioned":
        assert (provisioned, snapstart) == ({"ProvisionedConcurrentExecutions": "2"}, None)
    else:
        assert (provisioned, snapstart) == (None, {"ApplyOn": "PublishedVersions"})


def test_the_digest_covers_the_functions_whole_environment_its_code_version_and_layer():
    template = load_template()
    function = template["Resources"]["ActionFunction"]["Properties"]
    environment = {
        **template["Globals"]["Function"]["Environment"]["Variables"],
        **function["Environment"]["Variables"],
    }
    properties = template["Resources"]["ActionSettingsDigest"]["Properties"]
    assert properties["Environment"] == environment  # (short-form tags read as their plain values)
    assert (properties["Code"], properties["Layer"], properties["ColdStarts"]) == (
        "ActionFunction.Version",
        "SharedLayer",
        "ColdStarts",
    )
    assert function.get("Layers", template["Globals"]["Function"]["Layers"]) == ["SharedLayer"]


def digest_after(**parameters: str) -> str:
    properties = deployed(**{"ColdStarts": "snapstart", **parameters})["ActionSettingsDigest"]["Properties"]
    return digest(properties)


def test_every_change_of_a_setting_publishes_a_new_version_and_only_a_change_does():
    before = digest_after()
    assert digest_after() == before
    changed = [
        digest_after(ActionSecretB=SECRET_B),  # rotation step 1
        digest_after(ActionSecretB=SECRET_B, ActiveActionSecret="B"),  # rotation step 2
        digest_after(FallbackAction="voicemail"),
        digest_after(RouteCacheTtlSeconds="5"),
        digest_after(LogLevel="DEBUG"),
    ]
    assert len({before, *changed}) == 1 + len(changed)
    # From one option to the other: SnapStart on or off is the function's, so a version too.
    assert digest_after(ColdStarts="provisioned") != before
    # What is not the function's (the canary's schedule, the number of provisioned environments,
    # which is the alias's) publishes nothing.
    assert digest_after(ProvisionedEnvironments="3") == before
    assert digest_after(CanarySchedule="off") == before


def test_sam_alone_would_not_publish_for_a_parameter_only_deploy():
    def sam_version(**parameters: str) -> str:
        resources = expand_template({"ActionSecretA": SECRET_A, **parameters})
        (version,) = [name for name in resources if name.startswith("ActionFunctionVersion")]
        return version

    assert sam_version(ActionSecretB=SECRET_B) == sam_version() == sam_version(FallbackAction="voicemail")


def test_the_api_names_a_target_only_once_it_may_invoke_it():
    assert load_template()["Resources"]["ActionIntegration"]["DependsOn"] == "ActionApiInvokePermission"
