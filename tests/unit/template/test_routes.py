"""The action URL's routes are the secrets themselves, so that a wrong secret is answered 404 by
API Gateway without running the function or spending the real route's throttling budget; one route
per secret slot, so that a rotation never moves a route key between resources
(docs/how-to/rotate-the-secret.md)."""

import itertools
from pathlib import Path

from tools.template_tables import load_template

ROOT = Path(__file__).resolve().parents[3]

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]


def test_the_only_routes_are_one_per_secret_slot():
    routes = {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert {name: r["Properties"]["RouteKey"] for name, r in routes.items()} == {
        "ActionRoute": "GET /action/${ActionSecretA}",
        "PreviousActionRoute": "GET /action/${ActionSecretB}",
    }
    assert (routes["ActionRoute"]["Condition"], routes["PreviousActionRoute"]["Condition"]) == (
        "HasSecretA",
        "HasSecretB",
    )
    # No SAM event source adds a `{secret}` route behind our backs.
    assert "Events" not in RESOURCES["ActionFunction"]["Properties"]


def test_every_action_url_and_the_accepted_secret_follow_the_active_slot():
    # (load_template reads the short-form tags as their plain values: !If [c, a, b] is [c, a, b].)
    api = "https://${ActionApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/action/"
    active_url = ["ActiveIsA", api + "${ActionSecretA}", api + "${ActionSecretB}"]
    urls = {
        name: RESOURCES[name]["Properties"]["Environment"]["Variables"]["ACTION_URL"]
        for name in ("ProvisioningFunction", "CanaryFunction")
    } | {"ActionUrlSync": RESOURCES["ActionUrlSync"]["Properties"]["ActionUrl"]}
    assert urls == dict.fromkeys(urls, active_url)
    variables = RESOURCES["ActionFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["ACTION_SECRET"] == ["ActiveIsA", "ActionSecretA", "ActionSecretB"]
    assert variables["ACTION_SECRET_PREVIOUS"] == ["ActiveIsA", "ActionSecretB", "ActionSecretA"]
    assert TEMPLATE["Conditions"]["ActiveIsA"] == ["ActiveActionSecret", "A"]


def test_the_active_slot_must_hold_a_secret_and_the_slots_must_differ():
    rules = TEMPLATE["Rules"]
    for slot in "AB":
        rule = rules[f"ActiveSlotHasASecret{slot}"]
        assert rule["RuleCondition"] == ["ActiveActionSecret", slot]
        assert rule["Assertions"][0]["Assert"] == TEMPLATE["Conditions"][f"HasSecret{slot}"]
    assert TEMPLATE["Conditions"]["HasSecretB"] == [[["ActionSecretB", "none"]], [["ActionSecretB", ""]]]
    assert rules["SlotsHoldDifferentSecrets"]["Assertions"][0]["Assert"] == [
        ["ActionSecretA", "ActionSecretB"]
    ]


def test_each_route_is_throttled_on_its_own_and_numbers_wait_for_the_active_route():
    settings = RESOURCES["ActionApiStage"]["Properties"]["DefaultRouteSettings"]
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (100, 200)
    sync = RESOURCES["ActionUrlSync"]
    assert {"ActionFunction", "ActionApiStage", "ActionApiInvokePermission"} <= set(sync["DependsOn"])
    assert sync["Properties"]["ActiveRoute"] == ["ActiveIsA", "ActionRoute", "PreviousActionRoute"]


def routes_after(parameters: dict[str, str]) -> dict[str, str]:
    """The route keys a deploy with these parameters leaves, by route resource (the conditions are
    HasSecretA/B, pinned above: a slot's route exists while it holds a secret)."""
    routes = {}
    for name, resource in RESOURCES.items():
        if resource["Type"] == "AWS::ApiGatewayV2::Route":
            slot = resource["Condition"].removeprefix("HasSecret")
            if parameters[f"ActionSecret{slot}"] not in ("none", ""):
                key = resource["Properties"]["RouteKey"]
                routes[name] = key.replace("${ActionSecret" + slot + "}", parameters[f"ActionSecret{slot}"])
    return routes


def test_the_documented_rotation_never_moves_a_route_key_and_never_drops_the_url_in_use():
    old, new = "o" * 43, "n" * 43
    steps = [  # the first deploy, then docs/how-to/rotate-the-secret.md's three deploys
        {"ActionSecretA": old, "ActionSecretB": "none", "ActiveActionSecret": "A"},
        {"ActionSecretA": old, "ActionSecretB": new, "ActiveActionSecret": "A"},
        {"ActionSecretA": old, "ActionSecretB": new, "ActiveActionSecret": "B"},
        {"ActionSecretA": "none", "ActionSecretB": new, "ActiveActionSecret": "B"},
    ]
    rotation = (ROOT / "docs" / "how-to" / "rotate-the-secret.md").read_text(encoding="utf-8")
    for before, after in itertools.pairwise(steps):
        changed = {name: value for name, value in after.items() if before[name] != value}
        assert (
            len(changed) == 1
            and " ".join(f"{k}={v}" for k, v in changed.items()).replace(new, "$NEW") in rotation
        ), changed
        routes_before, routes_after_step = routes_after(before), routes_after(after)
        # A key kept by the deploy stays on the same resource (API Gateway refuses a key held twice).
        for name, key in routes_after_step.items():
            assert key not in routes_before.values() or routes_before.get(name) == key
        # The URL the numbers point at when the deploy starts is still routed when it ends.
        in_use = "GET /action/" + before[f"ActionSecret{before['ActiveActionSecret']}"]
        assert in_use in routes_after_step.values()
    assert routes_after(steps[-1]) == {"PreviousActionRoute": f"GET /action/{new}"}
