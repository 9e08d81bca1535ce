"""Every deploy this stack goes through, read as CloudFormation would run it: the template expanded
by the SAM translator and resolved by SAM CLI's resolver for each set of deploy-shaping parameters,
and each sequence (first create, code-only and layer-only changes, every setting and rotation step,
every switch, the upgrade from the previous release) planned by tools.cloudformation_rules, which
encodes the rules that fail a deploy (docs/reference/deploy-rules.md). All offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tools.cloudformation_rules import name_collisions, plan, version_failures
from tools.sam_expansion import deployed_template, including_nested

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
RELEASED = (FIXTURES / "template-2026-12-02.yaml").read_text(encoding="utf-8")
A, B = "a" * 40, "b" * 40
ACCOUNT = "123456789012"
KEPT_TABLES = {
    "ExistingRoutesTableStreamArn": f"arn:aws:dynamodb:ap-northeast-1:{ACCOUNT}:table/t-1/stream/2026-01-05",
    "ExistingNumbersTableName": "t-Numbers-2",
    "ExistingHistoryTableName": "t-History-3",
}
# One set per value of every parameter that shapes the deployed resources.
PARAMETER_SETS: dict[str, dict[str, str]] = {
    "defaults": {},
    "rotation: both slots": {"ActionSecretB": B},
    "rotation: B active": {"ActionSecretB": B, "ActiveActionSecret": "B"},
    "rotation: A emptied": {"ActionSecretA": "none", "ActionSecretB": B, "ActiveActionSecret": "B"},
    "canary off": {"CanaryMinutes": "off"},
    "canary every 60 minutes": {"CanaryMinutes": "60"},
    "alarm e-mail": {"AlarmEmail": "ops@example.com"},
    "existing alarm topic": {"ExistingAlarmTopicArn": f"arn:aws:sns:ap-northeast-1:{ACCOUNT}:alarms"},
    "kept tables": KEPT_TABLES,
    "existing credentials under a key": {
        "XoxzoCredentialsSecretArn": f"arn:aws:secretsmanager:ap-northeast-1:{ACCOUNT}:secret:x-AbC123",
        "XoxzoCredentialsKmsKeyArn": f"arn:aws:kms:ap-northeast-1:{ACCOUNT}:key/{'1' * 36}",
    },
    "no re-pointing on deploy": {"SyncActionUrlsOnDeploy": "false"},
}


def deployed(
    parameters: dict[str, str],
    code: str = "s3://bucket/code",
    layer: str = "s3://bucket/layer",
    text: str | None = None,
) -> dict[str, Any]:
    """The deployed resources, the nested monitoring stack's included ("Monitoring/...")."""
    values = {"ActionSecretA": A, **parameters}
    return including_nested(
        deployed_template(values, account=ACCOUNT, code=code, layer=layer, text=text)["Resources"]
    )


@pytest.fixture(scope="module", params=list(PARAMETER_SETS), ids=list(PARAMETER_SETS))
def resources(request: pytest.FixtureRequest) -> dict[str, Any]:
    return deployed(PARAMETER_SETS[request.param])


def of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r for name, r in resources.items() if r["Type"] == kind}


# --- Each parameter set ---------------------------------------------------------------------------


def test_nothing_publishes_a_version_or_names_an_alias(resources):
    """The function is served as it is ($LATEST): no version can fail a deploy."""
    assert not of_type(resources, "AWS::Lambda::Version")
    assert not of_type(resources, "AWS::Lambda::Alias")


def test_the_api_invokes_the_function_it_is_allowed_to(resources):
    integration = resources["ActionIntegration"]
    assert integration["Properties"]["IntegrationUri"] == "<ActionFunction.Arn>"
    assert integration["DependsOn"] == "ActionApiInvokePermission"  # allowed before it is named
    permission = resources["ActionApiInvokePermission"]["Properties"]
    assert (permission["FunctionName"], permission["Principal"]) == (
        "<ActionFunction.Arn>",
        "apigateway.amazonaws.com",
    )
    assert permission["SourceArn"].endswith(":<ActionApi.Ref>/*/GET/action/*")
    routes = of_type(resources, "AWS::ApiGatewayV2::Route")
    assert routes and all(
        r["Properties"]["Target"] == "integrations/<ActionIntegration.Ref>" for r in routes.values()
    )


def test_every_function_logs_to_a_group_the_stack_creates_first(resources):
    functions = of_type(resources, "AWS::Lambda::Function")
    assert len(functions) >= 3
    for name, function in functions.items():
        group = function["Properties"]["LoggingConfig"]["LogGroup"]
        logical_id = group.removeprefix("<").removesuffix(".Ref>")
        assert resources[logical_id]["Type"] == "AWS::Logs::LogGroup", name
        # Named by CloudFormation: a group kept from a deleted stack never collides with it.
        assert "LogGroupName" not in resources[logical_id]["Properties"], name


def test_the_monitoring_stack_is_given_exactly_its_parameters(resources):
    from tools.template_tables import load_template  # noqa: PLC0415

    nested = load_template(Path(__file__).resolve().parents[3] / "monitoring" / "template.yaml")
    given = resources["Monitoring"]["Properties"]["Parameters"]
    required = {name for name, p in nested["Parameters"].items() if "Default" not in p}
    assert required <= set(given) <= set(nested["Parameters"])
    for name, value in given.items():
        allowed = nested["Parameters"][name].get("AllowedValues")
        assert allowed is None or value in allowed, (name, value)


# --- Sequences of deploys -------------------------------------------------------------------------

SEQUENCES: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("setting only: fallback", {}, {"FallbackAction": "voicemail"}),
    ("setting only: cache", {}, {"RouteCacheTtlSeconds": "5"}),
    ("setting only: log level", {}, {"LogLevel": "DEBUG"}),
    ("rotation step 1", PARAMETER_SETS["defaults"], PARAMETER_SETS["rotation: both slots"]),
    ("rotation step 2", PARAMETER_SETS["rotation: both slots"], PARAMETER_SETS["rotation: B active"]),
    ("rotation step 3", PARAMETER_SETS["rotation: B active"], PARAMETER_SETS["rotation: A emptied"]),
    ("canary off", {}, {"CanaryMinutes": "off"}),
    ("canary on", {"CanaryMinutes": "off"}, {}),
    ("canary period", {}, {"CanaryMinutes": "5"}),
    ("to an existing topic", {}, PARAMETER_SETS["existing alarm topic"]),
    ("re-pointing off", {}, PARAMETER_SETS["no re-pointing on deploy"]),
]


@pytest.mark.parametrize(("_", "before", "after"), SEQUENCES, ids=[s[0] for s in SEQUENCES])
def test_every_setting_change_and_switch_deploys(_, before, after):
    old, new = deployed(before), deployed(after)
    assert version_failures(old, new) == []
    assert name_collisions(old, new) == []
    steps = plan(old, new)
    # A setting never replaces a function, a table, the API or the route it keeps.
    kept = {
        "ActionFunction",
        "ProvisioningFunction",
        "RoutesTable",
        "NumbersTable",
        "ActionApi",
        "ActionIntegration",
    }
    assert not kept & (steps.replaced | steps.deleted)


def test_a_first_create_deploys():
    new = deployed({})
    assert version_failures({}, new) == [] and name_collisions({}, new) == []


FUNCTIONS = {"ActionFunction", "ProvisioningFunction", "RouteChangesFunction", "CanaryFunction"}


def test_a_code_only_change_updates_the_functions_in_place():
    old, new = deployed({}), deployed({}, code="s3://bucket/next-build")
    steps = plan(old, new)
    assert version_failures(old, new) == [] and name_collisions(old, new) == []
    assert steps.updated == FUNCTIONS
    assert not steps.created | steps.replaced | steps.deleted


def test_a_layer_only_change_publishes_a_layer_version_and_updates_the_functions():
    old, new = deployed({}), deployed({}, layer="s3://bucket/next-layer")
    steps = plan(old, new)
    assert version_failures(old, new) == [] and name_collisions(old, new) == []
    # The layer's logical id follows its content: a new LayerVersion, the old one deleted
    # (RetentionPolicy Delete) once every function names the new one.
    ((created,), (deleted,)) = (tuple(steps.created), tuple(steps.deleted))
    assert created.startswith("SharedLayer") and deleted.startswith("SharedLayer") and created != deleted
    assert steps.updated == FUNCTIONS and not steps.replaced


# --- The upgrade from the previous release, from each of its ColdStarts options ------------------


@pytest.mark.parametrize("cold_starts", ["on-demand", "provisioned", "snapstart"])
def test_the_upgrade_from_the_previous_release_deploys(cold_starts):
    old = deployed({"ColdStarts": cold_starts, "CanarySchedule": "rate(15 minutes)"}, text=RELEASED)
    new = deployed({})
    steps = plan(old, new)
    assert version_failures(old, new) == []
    assert name_collisions(old, new) == []
    # The alarms and the dashboard leave the root stack for the nested one (the dashboard under
    # another name: the new one is created before the old one is deleted).
    assert {"Monitoring", "Monitoring/Dashboard", "Monitoring/ActionSlowAlarm"} <= steps.created
    assert {"Dashboard", "ActionSlowAlarm"} <= steps.deleted
    # Each log group is replaced by one CloudFormation names; the old one is kept (its events).
    groups = {name for name, r in new.items() if r["Type"] == "AWS::Logs::LogGroup"}
    assert groups <= steps.replaced
    assert all(r["UpdateReplacePolicy"] == "Retain" for r in of_type(new, "AWS::Logs::LogGroup").values())
    if cold_starts == "on-demand":
        assert "ActionApiInvokePermission" not in steps.replaced
    else:
        # From the alias back to the function: a new permission, created before the integration
        # that depends on it switches; the alias and the digest are deleted.
        assert {"ActionApiInvokePermission", "ActionIntegration"} <= steps.replaced | steps.updated
        assert {"ActionLiveAlias", "ActionSettingsDigest"} <= steps.deleted


def test_a_rollback_past_this_release_needs_the_kept_log_groups_gone_first():
    """docs/how-to/deploy-runbook.md#roll-back: the upgrade keeps each /aws/lambda/<function>
    group; the previous release would create it again under the same name."""
    released, new = deployed({}, text=RELEASED), deployed({})
    kept = {name: released[name] for name in of_type(released, "AWS::Logs::LogGroup")}
    # What still exists after the upgrade: the new stack's resources, and the groups it kept.
    after_upgrade = new | {f"kept/{name}": group for name, group in kept.items()}
    collisions = name_collisions(after_upgrade, released)
    assert len(collisions) == len(kept) and all("still holds" in c for c in collisions)
    assert name_collisions(new, released) == []  # once they are deleted, the rollback deploys


@pytest.mark.parametrize("cold_starts", ["provisioned", "snapstart"])
def test_the_rules_catch_the_previous_releases_failing_deploys(cold_starts):
    """The model is not vacuous: the previous release's ColdStarts options published the function
    twice in a first create (SAM's version and ActionLiveVersion), which CloudFormation fails."""
    released = deployed({"ColdStarts": cold_starts}, text=RELEASED)
    assert any("twice" in failure for failure in version_failures({}, released))
