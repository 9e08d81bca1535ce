"""A canary run finishes inside its invocation whatever the number of numbers: probes run side by
side, and those not answered when the time is up are failures, never a run that reports nothing."""

from __future__ import annotations

import threading
import time

from xoxzo_din.canary.probe import Probe
from xoxzo_din.canary.run import NOT_CHECKED, probe_all


def ok(number: str) -> Probe:
    return Probe(number, "", True, "as the routes say")


def test_every_number_is_probed_and_reported_in_order():
    numbers = [f"+8131234{i:04d}" for i in range(30)]
    probes = probe_all(numbers, ok, lambda: 120.0)
    assert [p.number for p in probes] == numbers and all(p.ok for p in probes)


def test_probes_run_side_by_side():
    """Eight probes that each wait for all eight to have started: only side by side can they end."""
    started = threading.Barrier(8, timeout=5)

    def check(number: str) -> Probe:
        started.wait()
        return ok(number)

    probes = probe_all([str(i) for i in range(8)], check, lambda: 120.0, workers=8)
    assert all(p.ok for p in probes)


def test_numbers_not_probed_in_time_are_failures_and_the_run_still_ends():
    release = threading.Event()

    def check(number: str) -> Probe:
        if number == "slow":
            release.wait(10)  # a probe that hangs past the time left
        return ok(number)

    begun = time.monotonic()
    probes = probe_all(["fast", "slow"], check, lambda: 10.3, reserve_seconds=10.0)
    release.set()
    assert time.monotonic() - begun < 5  # waited about 0.3 s, not the hanging probe's 10
    fast, slow = probes
    assert fast.ok
    assert (slow.number, slow.ok, slow.reason) == ("slow", False, NOT_CHECKED)


def test_no_time_left_reports_every_number_unchecked():
    release = threading.Event()

    def check(number: str) -> Probe:
        release.wait(10)
        return ok(number)

    probes = probe_all(["a", "b"], check, lambda: 5.0, reserve_seconds=10.0)
    release.set()
    assert [(p.number, p.ok, p.reason) for p in probes] == [
        ("a", False, NOT_CHECKED),
        ("b", False, NOT_CHECKED),
    ]


def test_a_check_that_raises_is_a_failed_probe_not_a_failed_run():
    def check(number: str) -> Probe:
        if number == "bad":
            raise OSError("network unreachable")
        return ok(number)

    good, bad = probe_all(["good", "bad"], check, lambda: 120.0)
    assert good.ok
    assert not bad.ok and bad.reason == "the check failed: network unreachable"
