"""samconfig.toml is complete for each environment, and `default` is the dev stack, not a silent
variant of it."""

import tomllib
from pathlib import Path

import pytest

CONFIG = tomllib.loads((Path(__file__).resolve().parents[3] / "samconfig.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("environment", ["default", "dev", "prod"])
def test_every_environment_says_where_how_and_what_to_delete(environment):
    settings = CONFIG[environment]
    assert settings["global"]["parameters"]["stack_name"] and settings["global"]["parameters"]["region"]
    deploy = settings["deploy"]["parameters"]
    # The monitoring alarms are a nested application: CloudFormation wants AUTO_EXPAND for it.
    assert deploy["capabilities"] == "CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"
    assert deploy["fail_on_empty_changeset"] is False  # a deploy with nothing to change is not an error
    assert deploy["resolve_s3"] is True
    assert "delete" in settings and settings["build"]["parameters"]["cached"] is True


def test_production_changes_are_confirmed():
    assert CONFIG["prod"]["deploy"]["parameters"]["confirm_changeset"] is True


def test_default_is_the_dev_stack():
    """The same stack in the same region. (Only that: `sam deploy --guided --config-env dev` saves
    its answers into the dev environment, and a clone that deployed must still pass its tests.)"""
    assert CONFIG["default"]["global"] == CONFIG["dev"]["global"]
