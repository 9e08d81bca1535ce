"""What reading the action secret at cold start would add (`make bench` runs it after the action
benchmark; or `python -m benchmarks.secret_read_bench`).

Each run is a fresh interpreter that first imports boto3 and creates the DynamoDB client the action
function creates anyway (timed: the baseline), then creates an SSM or a Secrets Manager client and
reads one value (SSM `GetParameter` of a SecureString with decryption; Secrets Manager
`GetSecretValue`), timed on its own: that second time is what reading the secret adds. Medians of
several runs, the two services interleaved. The services are moto's server on loopback, so what is measured is
the client's creation and the SDK's work per request; the round trip to the real service (and the
KMS decryption behind it) is not, and comes on top. Decision and figures: docs/decisions.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from benchmarks.workers import REPOSITORY, run_worker

VARIANTS = ("ssm", "secretsmanager")
NAME = "/xoxzo-din/bench/action-secret"


def _worker(variant: str) -> None:
    """Runs in a fresh interpreter: time one start, print it as JSON."""
    started = time.perf_counter()
    import boto3  # noqa: PLC0415

    boto3.client("dynamodb")
    baseline = time.perf_counter()
    if variant == "ssm":
        boto3.client("ssm").get_parameter(Name=NAME, WithDecryption=True)
    else:
        boto3.client("secretsmanager").get_secret_value(SecretId=NAME)
    added = time.perf_counter() - baseline
    print(json.dumps({"baseline": baseline - started, "added": added}), file=sys.__stderr__)


def _one(variant: str, environment: dict[str, str]) -> dict[str, float]:
    sample: dict[str, float] = run_worker("benchmarks.secret_read_bench", ["--worker", variant], environment)
    return sample


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=25, help="fresh interpreters per variant")
    parser.add_argument("--worker", choices=VARIANTS, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        _worker(arguments.worker)
        return

    import boto3  # noqa: PLC0415

    from tools.local_env import FAKE_CREDENTIALS, LOCAL_ACTION_SECRET, REGION, start_local_aws  # noqa: PLC0415

    aws, aws_url = start_local_aws()
    try:
        boto3.client("ssm", endpoint_url=aws_url, region_name=REGION).put_parameter(
            Name=NAME, Value=LOCAL_ACTION_SECRET, Type="SecureString"
        )
        boto3.client("secretsmanager", endpoint_url=aws_url, region_name=REGION).create_secret(
            Name=NAME, SecretString=LOCAL_ACTION_SECRET
        )
        environment = {
            **{name: value for name, value in os.environ.items() if not name.startswith("AWS_")},
            **FAKE_CREDENTIALS,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL": aws_url,
            "BOTO_DISABLE_CRT": "true",  # the Lambda runtime has no awscrt
            "PYTHONPATH": str(REPOSITORY),
        }
        samples: dict[str, list[dict[str, float]]] = {variant: [] for variant in VARIANTS}
        _one("ssm", environment)  # warm the file cache first
        for _ in range(arguments.runs):
            for variant in VARIANTS:  # interleaved, so machine noise falls on all alike
                samples[variant].append(_one(variant, environment))
    finally:
        aws.stop()
    print(f"Python {sys.version.split()[0]} on {os.uname().machine}, {os.cpu_count()} cores")
    print(f"Cold start, median of {arguments.runs} fresh interpreters per service (moto on loopback):")
    baseline = statistics.median(sample["baseline"] for values in samples.values() for sample in values)
    print(f"  import boto3 + DynamoDB client (the function's own start): {baseline * 1000:7.1f} ms")
    for variant, label in (
        ("ssm", "SSM client + GetParameter"),
        ("secretsmanager", "Secrets Manager client + read"),
    ):
        added = statistics.median(sample["added"] for sample in samples[variant]) * 1000
        print(f"  then {label:31}: +{added:6.1f} ms, plus the real round trip")


if __name__ == "__main__":
    main()
