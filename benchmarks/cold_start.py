"""One cold start, timed in a fresh interpreter as Lambda would run it (benchmarks/action_bench.py).

Run as a script by `python -I -S benchmarks/cold_start.py KIND PATHS TABLE EVENT`: no site-packages,
no environment's PYTHONPATH, only the folders in PATHS (the built function, the built layer and
the runtime's SDK, "|"-separated). Nothing is imported before the clock starts but `sys` and
`time`, which the interpreter has already loaded. KIND is:

- `baseline`: import boto3, create a DynamoDB client, one Query of the number's partition;
- `handler`: import the action handler (its init reads the global default), then answer EVENT,
  a call to a number whose routes are not cached yet.

Prints one JSON line on stderr: the seconds of import and init, of the Query or the call, the
answer, and which of boto3 and the holiday library the process imported.
"""

import sys
import time

NUMBER = "+81312345678"


class Context:
    """The attributes of a Lambda context that the handler's logging reads."""

    function_name = "ActionFunction"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:ActionFunction"
    memory_limit_in_mb = 512
    aws_request_id = "cold-start-bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 3000


def main() -> None:
    kind, paths, table, event_path = sys.argv[1:5]
    sys.path[:0] = paths.split("|")
    requests = 1
    started = time.perf_counter()
    if kind == "baseline":
        import boto3  # noqa: PLC0415

        client = boto3.client("dynamodb")
        initialized = call_started = time.perf_counter()
        page = client.query(
            TableName=table,
            KeyConditionExpression="#number = :number",
            ExpressionAttributeNames={"#number": "number"},
            ExpressionAttributeValues={":number": {"S": NUMBER}},
        )
        finished = time.perf_counter()
        answer = f"{page['Count']} items"
    else:
        import action_handler  # noqa: PLC0415

        initialized = time.perf_counter()
        import json  # noqa: PLC0415 - already imported by the handler: reading the event is not timed

        with open(event_path, encoding="utf-8") as file:
            event = json.load(file)
        call_started = time.perf_counter()
        response = action_handler.lambda_handler(event, Context())
        finished = time.perf_counter()
        answer = response["body"]
        requests = action_handler.routes_reader.requests_made

    import json  # noqa: PLC0415

    with open("/proc/self/status", encoding="ascii") as status:  # VmHWM: this process's peak
        peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    result = {
        "import_init": initialized - started,
        "call": finished - call_started,
        "answer": answer,
        "requests": requests,
        "imported": sorted(name for name in ("boto3", "holidays", "s3transfer") if name in sys.modules),
        "peak_rss_mib": peak_kib / 1024,
    }
    print(json.dumps(result, ensure_ascii=False), file=sys.stderr)


if __name__ == "__main__":
    main()
