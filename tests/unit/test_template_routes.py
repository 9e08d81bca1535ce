"""The action URL's routes are the secrets themselves, so that a wrong secret is answered 404 by
API Gateway without running the function or spending the real route's throttling budget."""

from tools.template_tables import load_template


def test_the_only_routes_are_the_current_and_the_previous_secret():
    resources = load_template()["Resources"]
    routes = {name: r for name, r in resources.items() if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert {name: r["Properties"]["RouteKey"] for name, r in routes.items()} == {
        "ActionRoute": "GET /action/${ActionSecret}",
        "PreviousActionRoute": "GET /action/${PreviousActionSecret}",
    }
    assert routes["PreviousActionRoute"]["Condition"] == "HasPreviousSecret"
    # No SAM event source adds a `{secret}` route behind our backs.
    assert "Events" not in resources["ActionFunction"]["Properties"]


def test_each_route_is_throttled_on_its_own_and_numbers_wait_for_the_route():
    resources = load_template()["Resources"]
    settings = resources["ActionApiStage"]["Properties"]["DefaultRouteSettings"]
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (100, 200)
    assert {"ActionFunction", "ActionRoute", "ActionApiStage", "ActionApiInvokePermission"} <= set(
        resources["ActionUrlSync"]["DependsOn"]
    )
