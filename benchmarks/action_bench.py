"""Action function benchmark: `make bench` (or `python -m benchmarks.action_bench`).

Prints, in one run:
- cold start: the handler's import-and-init time against the baseline of importing boto3 and
  creating a DynamoDB client (each in a fresh interpreter, median of several runs, the handler
  loaded from the `sam build` output as Lambda loads it), and peak memory;
- warm per-call time with a route-cache hit and with a miss, against moto's DynamoDB server on
  loopback (a miss is dominated by that server, not by DynamoDB's real latency);
- DynamoDB requests per call, counted at the botocore client.

DynamoDB here is moto's server on loopback: its latency is not DynamoDB's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.workers import REPOSITORY, run_worker

# Cold starts run what `sam build` produced (layer code compiled at build time, as deployed);
# `make bench` builds first.
BUILD = REPOSITORY / ".aws-sam" / "build"
BUILT_PATHS = (BUILD / "ActionFunction", BUILD / "SharedLayer" / "python")
TARGET_COLD_START_RATIO = 1.3


def _cold_worker(kind: str) -> None:
    """Runs in a fresh interpreter: time one cold start, print it as JSON."""
    started = time.perf_counter()
    if kind == "baseline":
        import boto3  # noqa: PLC0415

        boto3.client("dynamodb")
    else:
        import action_handler  # noqa: PLC0415, F401
    elapsed = time.perf_counter() - started
    # VmHWM, not ru_maxrss: the latter keeps the parent's peak across fork and exec.
    status = Path("/proc/self/status").read_text()
    peak_kib = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    print(json.dumps({"seconds": elapsed, "peak_rss_mib": peak_kib / 1024}), file=sys.__stderr__)


# Set by main() for the cold starts: the local DynamoDB where the handler reads its global
# default during init (one Query, as on Lambda).
_COLD_START_AWS: dict[str, str] = {}


def _environment(code_paths: tuple[Path, ...]) -> dict[str, str]:
    from tools.local_env import FAKE_CREDENTIALS, LOCAL_ACTION_SECRET  # noqa: PLC0415

    return {
        **{name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "POWERTOOLS_"))},
        **FAKE_CREDENTIALS,
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        # The Lambda runtime has no awscrt (aws-sam-cli brings it into this venv): keep botocore off it.
        "BOTO_DISABLE_CRT": "true",
        "ACTION_SECRET": LOCAL_ACTION_SECRET,
        "ROUTES_TABLE_NAME": "bench-routes",
        "POWERTOOLS_SERVICE_NAME": "din-action",
        "POWERTOOLS_METRICS_NAMESPACE": "XoxzoDinBench",
        "PYTHONPATH": os.pathsep.join([*map(str, code_paths), str(REPOSITORY)]),
        **_COLD_START_AWS,
    }


def _one_cold_start(kind: str) -> dict[str, float]:
    sample: dict[str, float] = run_worker(
        "benchmarks.action_bench", ["--cold-worker", kind], _environment(BUILT_PATHS)
    )
    return sample


def cold_starts(runs: int) -> dict[str, dict[str, float]]:
    """Baseline and handler alternate, so machine noise falls on both alike."""
    samples: dict[str, list[dict[str, float]]] = {"baseline": [], "handler": []}
    _one_cold_start("handler")  # warm the file cache first
    for _ in range(runs):
        for kind, kind_samples in samples.items():
            kind_samples.append(_one_cold_start(kind))
    return {
        kind: {
            "median_ms": statistics.median(sample["seconds"] for sample in kind_samples) * 1000,
            "min_ms": min(sample["seconds"] for sample in kind_samples) * 1000,
            "peak_rss_mib": statistics.median(sample["peak_rss_mib"] for sample in kind_samples),
        }
        for kind, kind_samples in samples.items()
    }


def _warm_worker(calls: int) -> None:
    """Runs in its own interpreter (handler logs go to /dev/null): time warm calls."""
    from tools.local_env import prepare_tables, start_local_aws  # noqa: PLC0415
    from tools.local_server import LocalLambdaContext, http_api_event  # noqa: PLC0415

    server, endpoint = start_local_aws()
    names = prepare_tables(endpoint)

    results: dict[str, Any] = {}
    for label, ttl in (("hit", "300"), ("miss", "0")):
        os.environ["ROUTE_CACHE_TTL_SECONDS"] = ttl
        os.environ["ROUTES_TABLE_NAME"] = names["ROUTES_TABLE_NAME"]
        sys.modules.pop("action_handler", None)
        import action_handler  # noqa: PLC0415

        operations: list[str] = []
        action_handler.routes_reader._client.meta.events.register(
            "before-call.dynamodb", lambda model, _seen=operations, **_: _seen.append(model.name)
        )
        context = LocalLambdaContext("ActionFunction")
        secret = os.environ["ACTION_SECRET"]
        event = http_api_event(
            "GET", f"/action/{secret}?caller=09012345678&recipient=0312345678", {}, "127.0.0.1"
        )
        # First call: opens the connection, reads the routes, and (this number has a holiday rule)
        # loads the holiday calendar library: once per container.
        started = time.perf_counter()
        action_handler.lambda_handler(event, context)
        first_call_ms = (time.perf_counter() - started) * 1000
        operations.clear()
        timings = []
        for _ in range(calls):
            started = time.perf_counter()
            response = action_handler.lambda_handler(event, context)
            timings.append(time.perf_counter() - started)
            assert response["statusCode"] == 200
        results[label] = {
            "median_us": statistics.median(timings) * 1e6,
            "p95_us": sorted(timings)[int(len(timings) * 0.95)] * 1e6,
            "requests_per_call": len(operations) / calls,
            "operations": sorted(set(operations)),
            "answer": response["body"],
            "first_call_ms": first_call_ms,
        }
    server.stop()
    print(json.dumps(results), file=sys.__stderr__)


def warm_calls(calls: int) -> dict[str, Any]:
    # Per-call times do not depend on how the code was loaded: the sources will do.
    sources = _environment((REPOSITORY / "functions/action", REPOSITORY / "layers/shared"))
    result: dict[str, Any] = run_worker("benchmarks.action_bench", ["--warm-worker", str(calls)], sources)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=25, help="cold starts per variant")
    parser.add_argument("--calls", type=int, default=300, help="warm calls per cache case")
    parser.add_argument("--cold-worker", choices=["baseline", "handler"], help=argparse.SUPPRESS)
    parser.add_argument("--warm-worker", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.cold_worker:
        _cold_worker(arguments.cold_worker)
        return
    if arguments.warm_worker:
        _warm_worker(arguments.warm_worker)
        return

    missing = [str(path) for path in BUILT_PATHS if not path.is_dir()]
    if missing:
        sys.exit(f"run `sam build` (or `make bench`, which builds) first; missing {', '.join(missing)}")
    print(f"Python {sys.version.split()[0]} on {os.uname().machine}, {os.cpu_count()} cores")
    from tools.local_env import prepare_tables, start_local_aws  # noqa: PLC0415

    aws, aws_url = start_local_aws()
    _COLD_START_AWS.update(AWS_ENDPOINT_URL_DYNAMODB=aws_url, **prepare_tables(aws_url))
    try:
        cold = cold_starts(arguments.runs)
    finally:
        aws.stop()
        _COLD_START_AWS.clear()
    baseline, handler = cold["baseline"], cold["handler"]
    ratio = handler["median_ms"] / baseline["median_ms"]
    print(
        f"\nCold import-and-init, median of {arguments.runs} fresh interpreters "
        "(the handler's init includes its one Query of the global default, to moto on loopback):"
    )
    print(
        f"  baseline (import boto3 + DynamoDB client): {baseline['median_ms']:7.1f} ms   "
        f"peak RSS {baseline['peak_rss_mib']:.1f} MiB"
    )
    print(
        f"  action handler (import + init)           : {handler['median_ms']:7.1f} ms   "
        f"peak RSS {handler['peak_rss_mib']:.1f} MiB"
    )
    verdict = "within" if ratio <= TARGET_COLD_START_RATIO else "OVER"
    print(
        f"  ratio {ratio:.2f}x ({verdict} the {TARGET_COLD_START_RATIO}x target); "
        f"fastest runs: {baseline['min_ms']:.1f} vs {handler['min_ms']:.1f} ms"
    )

    warm = warm_calls(arguments.calls)
    print(
        f"\nWarm calls through lambda_handler, {arguments.calls} each (DynamoDB = moto server on loopback):"
    )
    for label in ("hit", "miss"):
        row = warm[label]
        print(
            f"  cache {label:4}: median {row['median_us']:8.1f} us   p95 {row['p95_us']:8.1f} us   "
            f"DynamoDB requests/call {row['requests_per_call']:.2f} {row['operations']}"
        )
    print(f"  answer: {warm['hit']['answer']}")
    print(
        f"  first call in a new container (connection, route read, holiday calendar import): "
        f"{warm['hit']['first_call_ms']:.1f} ms"
    )
    # docs/explanation/cold-starts.md: what each option leaves a cold call waiting for, of what this
    # machine can measure (Lambda's runtime start and a SnapStart restore need Lambda itself).
    first_call = warm["hit"]["first_call_ms"]
    print("\nA call that meets a new environment waits for (plus what only Lambda can measure):")
    print(
        f"  neither option          : {handler['median_ms'] + first_call:7.1f} ms  import + init + first call"
    )
    print(f"  provisioned concurrency : {first_call:7.1f} ms  at most the first call (init ran before)")
    print(
        f"  SnapStart               : {first_call:7.1f} ms  first call, plus a restore only Lambda can time"
    )


if __name__ == "__main__":
    main()
