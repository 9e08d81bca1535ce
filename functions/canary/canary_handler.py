"""The canary: on a schedule, one synthetic call through the real action URL for each number this
stack holds, compared with what the routes say for that moment. A mismatch, a non-200 or a slow
answer counts in CanaryFailures, whose alarm notifies the topic (docs/reference/metrics.md#alarms).
Its calls carry canary=1: the action function logs and counts them apart from real calls.

Thin: it reads the numbers and their routes, and hands the probes (xoxzo_din.canary.probe) to
xoxzo_din.canary.run, which runs them side by side and stops in time to report.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import asdict
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from xoxzo_din.canary.probe import probe
from xoxzo_din.canary.run import probe_all
from xoxzo_din.canary.settings import CanarySettings
from xoxzo_din.tables.numbers import NumbersStore
from xoxzo_din.tables.routes import items_of
from xoxzo_din.tables.schema import GLOBAL_NUMBER

TIMEOUT_SECONDS = 5.0
# A stalled DynamoDB request costs seconds, not the SDK's default minute: the run keeps its time.
DYNAMODB_CONFIG = Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"})

logger = Logger()
metrics = Metrics()
settings = CanarySettings.from_environment()
dynamodb = boto3.resource("dynamodb", config=DYNAMODB_CONFIG)


def get(url: str) -> tuple[int | None, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 - our own https URL
            return (
                answer.status,
                answer.headers.get("Content-Type", ""),
                answer.read(4096).decode("utf-8", "replace"),
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), ""
    except (urllib.error.URLError, OSError) as error:
        return None, "", str(getattr(error, "reason", error))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    routes = dynamodb.Table(settings.routes_table)
    global_items = items_of(routes, GLOBAL_NUMBER)
    numbers = sorted(
        {r.number for r in NumbersStore(dynamodb.Table(settings.numbers_table)).active() if r.number}
    )
    # Each number's routes are read in its own probe, inside the run's time.
    probes = probe_all(
        numbers,
        lambda number: probe(
            get,
            settings.action_url,
            number,
            items=items_of(routes, number),
            global_items=global_items,
            fallback=settings.fallback,
            slow_milliseconds=settings.slow_milliseconds,
        ),
        lambda: context.get_remaining_time_in_millis() / 1000,
    )
    failed = [p for p in probes if not p.ok]
    metrics.add_metric(name="CanaryChecks", unit=MetricUnit.Count, value=len(probes))
    metrics.add_metric(name="CanaryFailures", unit=MetricUnit.Count, value=len(failed))
    # The heartbeat: a run that got this far (its alarm fires when none does).
    metrics.add_metric(name="CanaryRuns", unit=MetricUnit.Count, value=1)
    for failure in failed:
        logger.error("canary call failed", extra={"number": failure.number, "reason": failure.reason})
    return {"checked": len(probes), "failed": [asdict(p) for p in failed]}
