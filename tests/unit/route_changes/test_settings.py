"""The route-changes function's settings from its environment: no I/O."""

from __future__ import annotations

import pytest

from xoxzo_din.route_changes.settings import DEFAULT_RETENTION_DAYS, RouteChangesSettings


def test_every_variable_is_read():
    settings = RouteChangesSettings.from_environment(
        {
            "ROUTES_TABLE_NAME": "routes",
            "HISTORY_TABLE_NAME": "history",
            "ALARM_TOPIC_ARN": "arn:aws:sns:ap-northeast-1:123456789012:alarms",
            "HISTORY_RETENTION_DAYS": "30",
        }
    )
    assert settings == RouteChangesSettings(
        "routes", "history", "arn:aws:sns:ap-northeast-1:123456789012:alarms", 30
    )


@pytest.mark.parametrize("raw", ["", "0", "-5", "ten", "3.5"])
def test_a_retention_that_is_not_a_positive_whole_number_keeps_the_default(raw):
    assert (
        RouteChangesSettings.from_environment({"HISTORY_RETENTION_DAYS": raw}).retention_days
        == DEFAULT_RETENTION_DAYS
    )
