"""Action function benchmark: `make bench` (or `python -m benchmarks.action_bench`).

Prints, in one run:
- a call that meets a new environment: the action handler's import and init, then its first call
  (a cache miss on a number whose rules use a holiday calendar), against the same work done bare:
  import boto3, create a DynamoDB client, one Query. Each side runs in fresh interpreters,
  alternating, as Lambda would run it: the `sam build` output on the AWS SDK that the Lambda runtime
  ships and nothing else (benchmarks/cold_start.py). Medians, both ratios, peak memory;
- warm per-call time with a route-cache hit and with a miss;
- DynamoDB requests per call, counted at the botocore client.

DynamoDB here is moto's server on loopback: its latency is not DynamoDB's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.workers import REPOSITORY, run_isolated, run_worker

# Cold starts run what `sam build` produced (layer code compiled at build time, as deployed);
# `make bench` builds first.
BUILD = REPOSITORY / ".aws-sam" / "build"
BUILT_PATHS = (BUILD / "ActionFunction", BUILD / "SharedLayer" / "python")
COLD_START = REPOSITORY / "benchmarks" / "cold_start.py"
# The first call: a number not read at init, whose rules use a holiday calendar (JP), on a holiday.
FIRST_CALL_EVENT = REPOSITORY / "events" / "action" / "national-holiday.json"
# Both the import-and-init and the whole path at most the baseline's time.
TARGET_RATIO = 1.0


def cold_environment(aws_url: str, tables: dict[str, str]) -> dict[str, str]:
    """What the cold starts see: the function's variables (as template.yaml sets them) and moto."""
    from tools.local_env import FAKE_CREDENTIALS, LOCAL_ACTION_SECRET  # noqa: PLC0415

    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **FAKE_CREDENTIALS,
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_ENDPOINT_URL_DYNAMODB": aws_url,
        "ACTION_SECRET": LOCAL_ACTION_SECRET,
        "ROUTES_TABLE_NAME": tables["ROUTES_TABLE_NAME"],
        "POWERTOOLS_SERVICE_NAME": "din-action",
        "POWERTOOLS_METRICS_NAMESPACE": "XoxzoDinBench",
    }


def cold_starts(runs: int, sdk: Path, environment: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Baseline and handler alternate, so machine noise falls on both alike, and take turns at
    going first, so neither always follows the other."""
    paths = "|".join(str(path) for path in (*BUILT_PATHS, sdk))
    arguments = [paths, environment["ROUTES_TABLE_NAME"], str(FIRST_CALL_EVENT)]
    samples: dict[str, list[dict[str, Any]]] = {"baseline": [], "handler": []}
    for kind in samples:  # warm the file cache first
        run_isolated(COLD_START, [kind, *arguments], environment)
    for run in range(runs):
        for kind in sorted(samples, reverse=run % 2 == 1):
            samples[kind].append(run_isolated(COLD_START, [kind, *arguments], environment))
    return samples


def _median_ms(samples: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(sample[key] for sample in samples)) * 1000


def report_cold_starts(samples: dict[str, list[dict[str, Any]]], runs: int) -> float:
    """Prints the cold-start table; returns the first call's median (ms)."""
    from tools.local_env import sample_answers  # noqa: PLC0415

    rows = {}
    for kind, kind_samples in samples.items():
        whole = [sample["import_init"] + sample["call"] for sample in kind_samples]
        rows[kind] = (
            _median_ms(kind_samples, "import_init"),
            _median_ms(kind_samples, "call"),
            statistics.median(whole) * 1000,
            statistics.median(sample["peak_rss_mib"] for sample in kind_samples),
        )
    baseline, handler = rows["baseline"], rows["handler"]
    print(
        f"\nA call that meets a new environment, median of {runs} fresh interpreters per side, alternating"
        "\n(the built function and layer on the runtime's SDK only; DynamoDB = moto on loopback):"
    )
    print("                                    import + init   Query or call   whole path   peak RSS")
    for label, (init, call, whole, peak) in (
        ("baseline: boto3, client, one Query", baseline),
        ("action handler, first call a miss", handler),
    ):
        print(f"  {label:34} {init:8.1f} ms     {call:8.1f} ms   {whole:7.1f} ms  {peak:5.1f} MiB")
    for label, column in (("import + init", 0), ("whole path", 2)):
        ratio = handler[column] / baseline[column]
        verdict = "within" if ratio <= TARGET_RATIO else "OVER"
        print(f"  ratio, {label:13}: {ratio:.2f}x ({verdict} the target: at most {TARGET_RATIO:.1f}x)")
    handler_samples = samples["handler"]
    expected = sample_answers()[FIRST_CALL_EVENT.name]["body"]
    answers = {sample["answer"] for sample in handler_samples}
    if answers != {expected}:
        sys.exit(f"the first call answered {answers}, not {expected!r}")
    imported = sorted({name for sample in handler_samples for name in sample["imported"]})
    requests = sorted({sample["requests"] for sample in handler_samples})
    print(
        "  the handler's init makes one Query (the global default) and its first call one (the number's"
        f" routes, with holidays JP): {'/'.join(map(str, requests))} DynamoDB requests; answer: {expected}"
    )
    print(f"  imported by the handler: {', '.join(imported) or 'neither boto3 nor the holiday library'}")
    return handler[1]


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
        action_handler.lambda_handler(event, context)  # the first call, timed cold above
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
        }
    server.stop()
    print(json.dumps(results), file=sys.__stderr__)


def warm_calls(calls: int) -> dict[str, Any]:
    """In this environment, with moto in the worker: per-call times do not depend on how the code
    was loaded, so the sources will do."""
    from tools.local_env import FAKE_CREDENTIALS, LOCAL_ACTION_SECRET  # noqa: PLC0415

    code_paths = (REPOSITORY / "functions/action", REPOSITORY / "layers/shared", REPOSITORY)
    sources = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "POWERTOOLS_"))},
        **FAKE_CREDENTIALS,
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        # The Lambda runtime has no awscrt (aws-sam-cli brings it into this venv): keep botocore off it.
        "BOTO_DISABLE_CRT": "true",
        "ACTION_SECRET": LOCAL_ACTION_SECRET,
        "POWERTOOLS_SERVICE_NAME": "din-action",
        "POWERTOOLS_METRICS_NAMESPACE": "XoxzoDinBench",
        "PYTHONPATH": os.pathsep.join(map(str, code_paths)),
    }
    result: dict[str, Any] = run_worker("benchmarks.action_bench", ["--warm-worker", str(calls)], sources)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=25, help="cold starts per side")
    parser.add_argument("--calls", type=int, default=300, help="warm calls per cache case")
    parser.add_argument("--warm-worker", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.warm_worker:
        _warm_worker(arguments.warm_worker)
        return

    missing = [str(path) for path in BUILT_PATHS if not path.is_dir()]
    if missing:
        sys.exit(f"run `sam build` (or `make bench`, which builds) first; missing {', '.join(missing)}")
    import boto3  # noqa: PLC0415
    import botocore  # noqa: PLC0415

    from tools.build_smoke import runtime_sdk  # noqa: PLC0415
    from tools.local_env import prepare_tables, start_local_aws  # noqa: PLC0415

    print(
        f"Python {sys.version.split()[0]} on {os.uname().machine}, {os.cpu_count()} cores; "
        f"runtime SDK: boto3 {boto3.__version__}, botocore {botocore.__version__}"
    )
    aws, aws_url = start_local_aws()
    try:
        environment = cold_environment(aws_url, prepare_tables(aws_url))
        with tempfile.TemporaryDirectory() as folder:
            samples = cold_starts(arguments.runs, runtime_sdk(Path(folder), oldest=False), environment)
    finally:
        aws.stop()
    first_call = report_cold_starts(samples, arguments.runs)

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
        "  with init done before the call (provisioned concurrency, or a SnapStart restore, whose own"
        f" time only Lambda measures): the first call, {first_call:.1f} ms"
    )


if __name__ == "__main__":
    main()
