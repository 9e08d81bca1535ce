"""The action function's own logs and metrics (xoxzo_din/telemetry.py) are the lines Powertools'
Logger and Metrics would print for the same calls: the same keys, values and order, and the same
embedded metric format, so that the log queries, metric filters and alarms read them alike."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from aws_lambda_powertools import Logger as PowertoolsLogger
from aws_lambda_powertools import Metrics as PowertoolsMetrics
from aws_lambda_powertools.metrics import MetricUnit as PowertoolsMetricUnit

from xoxzo_din import telemetry
from xoxzo_din.routing.settings import ActionSettings
from xoxzo_din.telemetry import Logger, Metrics, MetricUnit

# Differ by nature: the moment, and the line that logged (the two loggers are called from two lines).
VARYING = ("timestamp", "location")


def lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


class Context:
    """The attributes of a Lambda context that the loggers read."""

    function_name = "ActionFunction"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:ActionFunction"
    memory_limit_in_mb = 512
    aws_request_id = "telemetry-test"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 3000


CONTEXT = Context()


def exercise(logger: Any, metrics: Any, unit: Any) -> None:
    """What the action handler does: start-up lines, then invocations with extras and metrics."""
    logger.error("configuration problem", extra={"problem": "p"})

    def answer(event: Any, context: Any) -> str:
        metrics.add_metric(name="AnsweredByRule", unit=unit.Count, value=1)
        metrics.add_metric(name="DynamoDBRequests", unit=unit.Count, value=0)
        metrics.add_metric(name="MalformedRouteItems", unit=unit.Count, value=2)
        metrics.add_metric(name="MalformedRouteItems", unit=unit.Count, value=1)
        logger.debug("not at INFO")
        logger.warning("malformed route item skipped", extra={"problem": "+8131/x: bad"})
        logger.info(
            "call answered",
            extra={"recipient": "+81312345678", "caller": None, "anonymous_caller": True, "when": object},
        )
        try:
            raise ValueError(event)
        except ValueError:
            logger.exception("routing failed, answering the fallback action", extra={"n": 1})
        return "answered"

    handler = logger.inject_lambda_context(clear_state=True)(metrics.log_metrics(answer))

    assert handler("first", CONTEXT) == "answered"
    assert handler("second", CONTEXT) == "answered"


def without(entry: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key not in keys}


def test_the_lines_are_those_powertools_prints(capsys, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "din-action-telemetry-test")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "INFO")
    monkeypatch.setattr(telemetry, "_cold_start", True)
    import aws_lambda_powertools.logging.logger as powertools_logger  # noqa: PLC0415

    monkeypatch.setattr(powertools_logger, "is_cold_start", True)
    exercise(PowertoolsLogger(), PowertoolsMetrics(namespace="XoxzoDinTest"), PowertoolsMetricUnit)
    theirs = lines(capsys.readouterr().out)
    exercise(
        Logger("din-action-telemetry-test", "INFO"),
        Metrics("XoxzoDinTest", "din-action-telemetry-test"),
        MetricUnit,
    )
    ours = lines(capsys.readouterr().out)

    assert len(ours) == len(theirs) == 9  # 1 start-up line, then 3 lines and the metrics, twice
    for mine, powertools in zip(ours, theirs, strict=True):
        if "_aws" in powertools:
            assert without(mine, "_aws") == without(powertools, "_aws")
            assert without(mine["_aws"], "Timestamp") == without(powertools["_aws"], "Timestamp")
            continue
        # Powertools adds a structured stack_trace too: the queries read `exception`.
        assert list(mine) == [key for key in powertools if key not in ("stack_trace", "xray_trace_id")]
        assert without(mine, *VARYING) == without(powertools, *VARYING, "stack_trace", "xray_trace_id")
    assert [line.get("cold_start") for line in ours] == [
        None,
        True,
        True,
        True,
        None,
        False,
        False,
        False,
        None,
    ]


def test_each_line_says_where_it_was_logged_and_when(capsys):
    logger = Logger("s")
    line_number = sys._getframe().f_lineno + 1
    logger.info("here")
    line = lines(capsys.readouterr().out)[0]
    assert line["location"] == f"test_each_line_says_where_it_was_logged_and_when:{line_number}"
    assert line["timestamp"][:2] == "20" and line["timestamp"][19] == "," and line["timestamp"][-5] in "+-"


@pytest.mark.parametrize(
    ("level", "printed"),
    [("DEBUG", 4), ("INFO", 3), ("WARNING", 2), ("ERROR", 1), ("nonsense", 3)],
)
def test_the_level_decides_what_is_printed(capsys, level, printed):
    logger = Logger("s", level)
    logger.debug("d")
    logger.info("i")
    logger.warning("w")
    logger.error("e")
    assert len(lines(capsys.readouterr().out)) == printed


def test_the_level_can_change_after_start_up(capsys):
    """`make local` shows the INFO lines of a function started at WARNING (tools/local_server.py)."""
    logger = Logger("s", "WARNING")
    logger.info("hidden")
    logger.setLevel("info")
    logger.info("shown")
    assert [line["message"] for line in lines(capsys.readouterr().out)] == ["shown"]


def test_exception_outside_a_handler_is_a_plain_error_line(capsys):
    Logger().exception("nothing raised")
    line = lines(capsys.readouterr().out)[0]
    assert (line["level"], line["service"]) == ("ERROR", "service_undefined") and "exception" not in line


def test_metrics_need_a_namespace_and_are_flushed_even_when_the_handler_raises(capsys):
    metrics = Metrics("", "s")
    metrics.add_metric(name="A", unit=MetricUnit.Count, value=1)
    metrics.flush()
    assert capsys.readouterr().out == ""  # CloudWatch would refuse a metric without a namespace

    metrics = Metrics("N", "")

    @metrics.log_metrics
    def failing(event: Any, context: Any) -> None:
        metrics.add_metric(name="A", unit=MetricUnit.Count, value=1)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing({}, None)
    emitted = lines(capsys.readouterr().out)
    assert emitted[0]["A"] == [1.0]
    assert emitted[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [[]]  # no service, no dimension
    metrics.flush()
    assert capsys.readouterr().out == ""  # nothing twice


def test_the_action_settings_read_what_the_logs_and_metrics_need():
    settings = ActionSettings.from_environment(
        {
            "POWERTOOLS_SERVICE_NAME": " din-action ",
            "POWERTOOLS_LOG_LEVEL": "warning",
            "POWERTOOLS_METRICS_NAMESPACE": "XoxzoDin",
        }
    )
    assert (settings.service_name, settings.log_level, settings.metrics_namespace) == (
        "din-action",
        "WARNING",
        "XoxzoDin",
    )
    assert not any("POWERTOOLS" in problem for problem in settings.problems)


def test_a_wrong_level_or_a_missing_namespace_is_a_configuration_problem():
    settings = ActionSettings.from_environment({"POWERTOOLS_LOG_LEVEL": "loud"})
    assert settings.log_level == "INFO" and settings.service_name == ""
    assert "POWERTOOLS_LOG_LEVEL 'LOUD' is not a log level, using INFO" in settings.problems
    assert "POWERTOOLS_METRICS_NAMESPACE is not set: no metrics are published" in settings.problems
