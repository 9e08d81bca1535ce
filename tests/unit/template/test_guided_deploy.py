"""`sam deploy --guided` with the first deploy's answers (docs/how-to/deploy.md), through the SAM
CLI's own prompting code, offline: no question aborts it, and every answer is a valid value."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from samcli.commands.deploy import guided_context
from samcli.commands.deploy.auth_utils import auth_per_resource
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

from tools.sam_expansion import OWN_TABLES
from tools.template_tables import load_template

ROOT = Path(__file__).resolve().parents[3]
SECRET = "Zq3" * 11  # what `secrets.token_urlsafe(32)` gives: 43 URL-safe characters
# The answers deploy.md gives for the parameters without a default shown (the others: Enter).
TYPED = {"ActionSecretA": SECRET, "ActionSecretB": "none", **OWN_TABLES}


def test_guided_asks_no_authentication_question():
    """Each route is the secret itself (ApiGatewayV2 routes, not SAM events): SAM finds no
    function event to ask "has no authentication. Is this okay?" about, whose default aborts."""
    stacks, _ = SamLocalStackProvider.get_stacks(str(ROOT / "template.yaml"))
    assert auth_per_resource(stacks) == []


def test_the_first_deploys_answers_are_valid_parameter_values(monkeypatch: pytest.MonkeyPatch):
    parameters = load_template()["Parameters"]
    asked: list[str] = []

    def prompt(text: str, default: Any = None, hide_input: bool = False, **_: Any) -> Any:
        name = text.split("Parameter ", 1)[1].split("\x1b", 1)[0].strip()
        asked.append(name)
        if hide_input or default is None:
            # NoEcho, or no default: nothing is shown, and an empty answer is asked again.
            return TYPED[name]
        return default

    monkeypatch.setattr(guided_context, "prompt", prompt)
    context = guided_context.GuidedContext.__new__(guided_context.GuidedContext)
    context.parameter_overrides_from_cmdline = {}
    answers = context.prompt_parameters(parameters, {}, "", "")
    assert asked == list(parameters)
    for name, answer in answers.items():
        value, spec = answer["Value"], parameters[name]
        if "AllowedPattern" in spec:
            assert re.fullmatch(spec["AllowedPattern"], str(value)), (name, value)
        if "AllowedValues" in spec:
            assert str(value) in [str(v) for v in spec["AllowedValues"]], (name, value)
        if "MinLength" in spec:
            assert len(str(value)) >= spec["MinLength"], name
    page = (ROOT / "docs" / "how-to" / "deploy.md").read_text(encoding="utf-8")
    for name, typed in TYPED.items():
        if name != "ActionSecretA":
            assert f"| Parameter {name} | `{typed}`" in page, name
    # Every parameter guided asks about has its answer on the page (several may share a row).
    rows = [line for line in page.splitlines() if line.startswith("| Parameter ")]
    assert all(any(name in row for row in rows) for name in parameters), "a parameter without its answer"


def test_a_later_plain_sam_deploy_keeps_every_value_it_is_not_given():
    """docs/how-to/deploy-runbook.md: after the first deploy, `sam deploy` (no --guided), or with
    --parameter-overrides for the one value to change. SAM CLI asks CloudFormation to keep the
    previous value of every parameter not given (the NoEcho secrets and the kept tables
    included), and drops a saved override the template no longer declares (CanarySchedule)."""
    from samcli.commands.deploy.deploy_context import DeployContext  # noqa: PLC0415

    template = load_template()
    given = {"LogLevel": "DEBUG", "CanarySchedule": "off"}
    values = {value["ParameterKey"]: value for value in DeployContext.merge_parameters(template, given)}
    assert set(values) == set(template["Parameters"])  # CanarySchedule is not passed on
    assert values["LogLevel"] == {"ParameterKey": "LogLevel", "ParameterValue": "DEBUG"}
    kept = ("ActionSecretA", "ActionSecretB", "ExistingRoutesTableStreamArn", "ExistingNumbersTableName")
    for name in kept:
        assert values[name] == {"ParameterKey": name, "UsePreviousValue": True}


def test_the_capabilities_answered_are_the_ones_samconfig_keeps():
    """SAM CLI takes the answer to "Capabilities" (or, answering Y to role creation, the config
    environment's own) for this and every later deploy: both must allow the nested application."""
    import tomllib  # noqa: PLC0415

    page = (ROOT / "docs" / "how-to" / "deploy.md").read_text(encoding="utf-8")
    (row,) = [line for line in page.splitlines() if line.startswith("| Capabilities |")]
    answered = row.split("`")[1]
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    for environment in ("default", "dev", "prod"):
        assert config[environment]["deploy"]["parameters"]["capabilities"] == answered
    assert set(answered.split()) == {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}
    assert load_template()["Resources"]["Monitoring"]["Type"] == "AWS::Serverless::Application"
