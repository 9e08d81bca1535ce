"""`numbers search` gives costs in credits and countries by name."""


def test_search_gives_costs_in_credits_and_the_country_by_name(answers, tool):
    offered = {"din_uid": "JPx", "number": "+81345678901", "country_code": 81, "monthly_cost": 1300}
    answers["search"] = {"count": 1, "numbers": [{**offered, "minute_cost": 1}]}
    result = tool("numbers", "search", columns=120)
    assert result.exit_code == 0
    assert "Japan (+81)" in result.output and "1300 credits" in result.output and "1 credit " in result.output
    assert "country 81" not in result.output
