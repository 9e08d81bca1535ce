"""What a deploy (and a failed one, a rotation or a redeploy) relies on in template.yaml."""

import re
from pathlib import Path

import pytest

from tools.template_tables import load_template
from xoxzo_din.routing.settings import NO_SECRET, ActionSettings

TEMPLATE = load_template()
PARAMETERS = TEMPLATE["Parameters"]
RESOURCES = TEMPLATE["Resources"]


def accepts(parameter: str, value: str) -> bool:
    return re.fullmatch(PARAMETERS[parameter]["AllowedPattern"], value) is not None


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("", True),
        ("arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:xoxzo/creds-AbC123", True),
        ("xoxzo/creds", False),
        ("arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:xoxzo/creds", False),
    ],
)
def test_the_credentials_secret_must_be_a_whole_arn(value, ok):
    assert accepts("XoxzoCredentialsSecretArn", value) is ok


@pytest.mark.parametrize("slot", ["ActionSecretA", "ActionSecretB"])
@pytest.mark.parametrize(("value", "ok"), [("none", True), ("x" * 32, True), ("", True), ("short", False)])
def test_a_secret_slot_is_none_or_a_real_secret(slot, value, ok):
    """`sam deploy --guided` will not take an empty answer for a NoEcho parameter: `none` is typed;
    an empty value still means none."""
    assert accepts(slot, value) is ok


def test_slot_a_must_be_answered_and_slot_b_starts_empty():
    assert "Default" not in PARAMETERS["ActionSecretA"]
    assert PARAMETERS["ActionSecretB"]["Default"] == NO_SECRET
    assert (
        PARAMETERS["ActiveActionSecret"]["Default"],
        PARAMETERS["ActiveActionSecret"]["AllowedValues"],
    ) == (
        "A",
        ["A", "B"],
    )


def test_none_is_no_secret_to_the_function():
    settings = ActionSettings.from_environment(
        {
            "ACTION_SECRET": "s" * 40,
            "ACTION_SECRET_PREVIOUS": NO_SECRET,
            "ROUTES_TABLE_NAME": "t",
            "POWERTOOLS_METRICS_NAMESPACE": "XoxzoDin",
        }
    )
    assert settings.secrets == ("s" * 40,) and settings.problems == ()


def test_cloudformation_never_waits_an_hour_for_the_custom_resource():
    timeout = RESOURCES["ActionUrlSync"]["Properties"]["ServiceTimeout"]
    assert RESOURCES["ProvisioningFunction"]["Properties"]["Timeout"] < timeout <= 600


def test_the_layer_is_named_after_its_stack():
    assert RESOURCES["SharedLayer"]["Properties"]["LayerName"] == "${AWS::StackName}-shared"


def test_the_templates_stay_small_enough_to_read_and_to_send():
    """The root template reads top to bottom (at most 800 lines); every template file stays well
    under CloudFormation's 51,200-byte limit for a template sent inline."""
    root = Path(__file__).resolve().parents[3]
    templates = [root / "template.yaml", root / "monitoring" / "template.yaml"]
    assert len(templates[0].read_text(encoding="utf-8").splitlines()) <= 800
    for template in templates:
        assert template.stat().st_size < 40_000, template.name
