"""One canary run: every number's probe, side by side, finished inside the invocation's time
whatever the number of numbers. A number whose probe has not answered when the time is up counts as
a failure (NOT_CHECKED): a run that cannot check every number is itself worth an alarm. What the
alarms watch: docs/reference/metrics.md#alarms."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Final

from xoxzo_din.canary.probe import Probe

# At most this many probes at once: a canary run never takes more than WORKERS + 1 of a new
# account's 10 concurrent executions from the callers.
WORKERS: Final = 3
# Kept free at the end of the invocation for the metrics and the answer.
RESERVE_SECONDS: Final = 10.0
NOT_CHECKED: Final = "not checked: the run ran out of time"


def probe_all(
    numbers: Sequence[str],
    check: Callable[[str], Probe],
    remaining_seconds: Callable[[], float],
    *,
    workers: int = WORKERS,
    reserve_seconds: float = RESERVE_SECONDS,
) -> list[Probe]:
    """`check` of every number, in `numbers`' order, at most `workers` at a time, waiting no longer
    than `remaining_seconds() - reserve_seconds`. A check that raises is a failed probe."""
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="canary")
    try:
        futures = {pool.submit(check, number): number for number in numbers}
        done, _ = wait(futures, timeout=max(0.0, remaining_seconds() - reserve_seconds))
        found: dict[str, Probe] = {}
        for future in done:
            number = futures[future]
            error = future.exception()
            found[number] = (
                future.result() if error is None else Probe(number, "", False, f"the check failed: {error}")
            )
    finally:
        # Probes still running end on their own timeouts; none is waited for.
        pool.shutdown(wait=False, cancel_futures=True)
    return [found.get(number) or Probe(number, "", False, NOT_CHECKED) for number in numbers]
