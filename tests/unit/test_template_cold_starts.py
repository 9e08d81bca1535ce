"""Why the action function has no published alias, and so no provisioned-concurrency or SnapStart
parameter (docs/explanation/cold-starts.md): SAM publishes a new version only when the function's
code or properties change, not when a parameter its settings come from does."""

from __future__ import annotations

from tools.sam_expansion import expand_template
from tools.template_tables import TEMPLATE_PATH, load_template

ALIASED = TEMPLATE_PATH.read_text(encoding="utf-8").replace(
    "      Handler: action_handler.lambda_handler\n",
    "      Handler: action_handler.lambda_handler\n"
    "      AutoPublishAlias: live\n"
    "      AutoPublishAliasAllProperties: true\n",
    1,
)


def published_version(**parameters: str) -> str:
    resources = expand_template({"ActionSecretA": "a" * 40, **parameters}, ALIASED)
    (version,) = [name for name in resources if name.startswith("ActionFunctionVersion")]
    return version


def test_an_alias_would_keep_serving_old_settings_after_a_parameter_only_deploy():
    assert TEMPLATE_PATH.read_text(encoding="utf-8") != ALIASED  # the alias was added to the copy
    before = published_version()
    # Rotation step 1 (a second secret), a new fallback, a new cache time: no new version, so an
    # alias would still refuse the new secret once the numbers were moved to it.
    assert published_version(ActionSecretB="b" * 40) == before
    assert published_version(FallbackAction="voicemail") == before
    assert published_version(RouteCacheTtlSeconds="5") == before


def test_the_api_calls_the_function_itself():
    resources = load_template()["Resources"]
    assert "AutoPublishAlias" not in resources["ActionFunction"]["Properties"]
    assert resources["ActionIntegration"]["Properties"]["IntegrationUri"] == "ActionFunction.Arn"
