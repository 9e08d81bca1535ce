"""Time: the clock provisioning writes with, and the time budget an invocation has for XOXZO calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class TimeBudget:
    """The time an invocation has for XOXZO calls.

    `seconds_left` is what remains for XOXZO (the Lambda's remaining time minus what must follow
    the last call: writes and the answer); `attempt_seconds` is the longest one XOXZO attempt can
    take. The client gets `seconds_left` as its deadline (it starts no attempt that could outlast
    it); the operations start no number, subscribe or cancel without time for one attempt.
    """

    seconds_left: Callable[[], float]
    attempt_seconds: float

    @classmethod
    def of_lambda(
        cls, remaining_ms: Callable[[], int], *, reserve_seconds: float, attempt_seconds: float
    ) -> TimeBudget:
        """From a Lambda context's get_remaining_time_in_millis."""
        return cls(lambda: remaining_ms() / 1000 - reserve_seconds, attempt_seconds)

    def has_time(self) -> bool:
        return self.seconds_left() >= self.attempt_seconds


UNLIMITED = TimeBudget(lambda: float("inf"), 0.0)
