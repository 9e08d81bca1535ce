"""The action function's structured logs and CloudWatch metrics, written as Powertools' Logger and
Metrics write them, without their import on every cold start (why, and what differs:
docs/decisions.md#the-action-function-writes-its-own-logs-and-metrics).

A log line is one JSON object on stdout: level, location, message, timestamp and service, the
Lambda context's keys inside an invocation, then the extra fields (None left out, anything else
that JSON cannot hold as its str()); an exception adds `exception` (the traceback) and
`exception_name`. Metrics are counted during an invocation and printed after it as one line in
CloudWatch's embedded metric format (docs/reference/metrics.md). Neither ever raises.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

type Handler = Callable[[Any, Any], Any]

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
DEFAULT_LEVEL = "INFO"
UNDEFINED_SERVICE = "service_undefined"  # Powertools' word for a service without a name


class MetricUnit:
    Count = "Count"


_cold_start = True  # until this process's first invocation, as Lambda counts cold starts


def _write(line: str) -> None:
    stream = sys.stdout  # looked up each time: whatever stdout is now (Lambda's, or a test's)
    stream.write(line + "\n")
    stream.flush()


def _dumps(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False, default=str)


class Logger:
    def __init__(self, service: str = "", level: str = DEFAULT_LEVEL) -> None:
        self._service = service or UNDEFINED_SERVICE
        self._threshold = LEVELS.get(level.upper(), LEVELS[DEFAULT_LEVEL])
        self._context: dict[str, Any] = {}

    def setLevel(self, level: str) -> None:  # noqa: N802 - the name logging and Powertools give it
        """From now on, print lines of `level` and above (an unknown level: INFO)."""
        self._threshold = LEVELS.get(level.upper(), LEVELS[DEFAULT_LEVEL])

    def debug(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._log("DEBUG", message, extra)

    def info(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._log("INFO", message, extra)

    def warning(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._log("WARNING", message, extra)

    def error(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._log("ERROR", message, extra)

    def exception(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        """An ERROR line with the exception being handled."""
        error = sys.exc_info()[1]
        if error is None:
            self._log("ERROR", message, extra)
            return
        import traceback  # noqa: PLC0415 - only when something went wrong

        trace = "".join(traceback.format_exception(error)).rstrip("\n")
        self._log(
            "ERROR", message, {**(extra or {}), "exception": trace, "exception_name": type(error).__name__}
        )

    def inject_lambda_context(self, *, clear_state: bool = True) -> Callable[[Handler], Handler]:
        """Adds the context's keys (and cold_start) to every line logged during an invocation."""
        del clear_state  # always: an invocation's lines carry only its own context

        def decorate(handler: Handler) -> Handler:
            @functools.wraps(handler)
            def invoke(event: Any, context: Any) -> Any:
                global _cold_start  # noqa: PLW0603 - one flag per process, as Lambda's cold starts
                self._context = {
                    "cold_start": _cold_start,
                    "function_name": getattr(context, "function_name", None),
                    "function_memory_size": getattr(context, "memory_limit_in_mb", None),
                    "function_arn": getattr(context, "invoked_function_arn", None),
                    "function_request_id": getattr(context, "aws_request_id", None),
                }
                _cold_start = False
                return handler(event, context)

            return invoke

        return decorate

    def _log(self, level: str, message: str, extra: Mapping[str, Any] | None) -> None:
        if LEVELS[level] < self._threshold:
            return
        now = time.time()
        local = time.localtime(now)
        caller = sys._getframe(2)  # the frame that called info(), warning()...
        fields = {
            "level": level,
            "location": f"{caller.f_code.co_name}:{caller.f_lineno}",
            "message": message,
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%S", local)
            + f",{int(now * 1000) % 1000:03d}"
            + time.strftime("%z", local),
            "service": self._service,
            **self._context,
            **(extra or {}),
        }
        _write(_dumps({key: value for key, value in fields.items() if value is not None}))


class Metrics:
    """Counts added during an invocation, printed after it in the embedded metric format."""

    def __init__(self, namespace: str = "", service: str = "") -> None:
        self._namespace = namespace
        self._service = service
        self._values: dict[str, tuple[str, list[float]]] = {}

    def add_metric(self, *, name: str, unit: str, value: float) -> None:
        self._values.setdefault(name, (unit, []))[1].append(float(value))

    def log_metrics(self, handler: Handler) -> Handler:
        @functools.wraps(handler)
        def invoke(event: Any, context: Any) -> Any:
            try:
                return handler(event, context)
            finally:
                self.flush()

        return invoke

    def flush(self) -> None:
        """Print what was added (nothing without a namespace: CloudWatch would refuse it)."""
        values, self._values = self._values, {}
        if not values or not self._namespace:
            return
        dimensions = {"service": self._service} if self._service else {}
        document: dict[str, Any] = {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": self._namespace,
                        "Dimensions": [list(dimensions)],
                        "Metrics": [{"Name": name, "Unit": unit} for name, (unit, _) in values.items()],
                    }
                ],
            },
            **dimensions,
            **{name: numbers for name, (_, numbers) in values.items()},
        }
        _write(_dumps(document))
