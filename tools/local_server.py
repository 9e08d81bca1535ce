"""Run the action server locally, without Docker or an AWS account: `make local`.

- starts moto's server on loopback (DynamoDB, Secrets Manager), creates the tables from
  template.yaml's own definitions and seeds tools/sample_routes.json;
- serves the real action handler on http://127.0.0.1:3000, turning each request into the
  API Gateway HTTP API event that `sam local start-api` would send;
- serves a `sam local start-lambda`-style invoke endpoint on http://127.0.0.1:3001, so any function
  of the template can be invoked with its events/ files (curl or `aws lambda invoke --endpoint-url`);
  a custom-resource event's ResponseURL (CloudFormation's pre-signed S3 URL) is replaced by a sink
  on that same port, so that the function's answer to CloudFormation stays on loopback: the invoke
  answer's X-Local-CloudFormation-Response header gives its URL, where GET shows what was PUT;
- starts the XOXZO DIN API emulator on http://127.0.0.1:8080 (tools/xoxzo_emulator.py) and puts
  its credentials in (moto's) Secrets Manager, so ProvisioningFunction can be tried too;
- runs RouteChangesFunction on the routes table's stream (tools/local_streams.py), so that edits are
  kept in the history and checked as on a deployed stack, and prints the alerts it sends.

    curl 'http://127.0.0.1:3000/action/local-dev-secret-change-me-0123456789?caller=09012345678&recipient=0312345678'
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tools.local_env import (
    LOCAL_ACTION_SECRET,
    LOCAL_CREDENTIALS_SECRET_ID,
    REGION,
    add_code_paths,
    create_alarm_topic,
    prepare_tables,
    start_local_aws,
    store_xoxzo_credentials,
)
from tools.local_streams import AlertPrinter, StreamRelay
from tools.template_tables import load_template
from tools.xoxzo_emulator import XoxzoEmulator

LOOPBACK = "127.0.0.1"
# The invoke endpoint xoxzo-din looks for by default (--local): cli/xoxzo_din_cli/stack.py.
DEFAULT_LAMBDA_URL = "http://127.0.0.1:3001"
ACTION_ROUTE = "/action/"

# Function logical id -> its handler module, from each function's `Handler: module.lambda_handler`.
FUNCTION_MODULES = {
    logical_id: resource["Properties"]["Handler"].rsplit(".", 1)[0]
    for logical_id, resource in load_template()["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Function"
}

# What `GET /local/stack` on the invoke port answers: this local stack's coordinates, shaped like a
# deployed stack's outputs and parameters, so that the operators' command line tool can target it.
LOCAL_STACK_ROUTE = "/local/stack"
local_stack: dict[str, Any] = {}

# One invocation at a time per function, as in one Lambda container (and one function may call
# another's API, as the canary calls the action URL).
_invoke_locks = {logical_id: threading.Lock() for logical_id in FUNCTION_MODULES}

# Where the invoke endpoint has custom-resource answers PUT instead of CloudFormation's S3 URL (which
# would cost three attempts, an ERROR log and up to 15 s without network, and reach out otherwise).
CLOUDFORMATION_RESPONSE_ROUTE = "/cloudformation-response/"
CLOUDFORMATION_RESPONSE_HEADER = "X-Local-CloudFormation-Response"


class CloudFormationResponses:
    """The custom-resource answers PUT to the loopback sink, by the id in their URL."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: dict[str, Any] = {}

    def record(self, response_id: str, answer: Any) -> None:
        with self._lock:
            self._received[response_id] = answer

    def get(self, response_id: str) -> Any | None:
        with self._lock:
            return self._received.get(response_id)


cloudformation_responses = CloudFormationResponses()


def is_custom_resource_event(event: object) -> bool:
    """What the provisioning handler serves as Custom::ActionUrlSync (xoxzo_din/deploy/action_url_sync.py)."""
    return isinstance(event, dict) and "RequestType" in event and "ResponseURL" in event


def with_loopback_response_url(event: dict[str, Any], base_url: str) -> tuple[dict[str, Any], str]:
    """The event with its ResponseURL replaced by a sink URL of its own under `base_url`, and that URL."""
    sink_url = f"{base_url}{CLOUDFORMATION_RESPONSE_ROUTE}{uuid.uuid4().hex}"
    return {**event, "ResponseURL": sink_url}, sink_url


class LocalLambdaContext:
    """The attributes of a Lambda context object that Powertools and the handlers read; the
    remaining time counts down from the function's `Timeout` in template.yaml."""

    def __init__(self, function_name: str) -> None:
        properties = load_template()["Resources"][function_name]["Properties"]
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:ap-northeast-1:123456789012:function:{function_name}"
        self.memory_limit_in_mb = int(properties.get("MemorySize", 128))
        self.aws_request_id = f"local-{time.time_ns()}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + float(properties.get("Timeout", 3))

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def load_handler(logical_id: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    add_code_paths()
    module: ModuleType = importlib.import_module(FUNCTION_MODULES[logical_id])
    handler: Callable[[dict[str, Any], Any], dict[str, Any]] = module.lambda_handler
    return handler


def invoke(logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
    handler = load_handler(logical_id)
    with _invoke_locks[logical_id]:
        return handler(event, LocalLambdaContext(logical_id))


def http_api_event(method: str, target: str, headers: dict[str, str], source_ip: str) -> dict[str, Any]:
    """The API Gateway HTTP API (payload 2.0) event for one request, as API Gateway builds it."""
    url = urlsplit(target)
    query: dict[str, str] = {}
    for name, value in parse_qsl(url.query, keep_blank_values=True):
        # API Gateway joins repeated parameters with commas.
        query[name] = f"{query[name]},{value}" if name in query else value
    # The routes are the secrets themselves (template.yaml): the route key is the path.
    route_key = f"{method} {url.path}"
    now = datetime.now(UTC)
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": url.path,
        "rawQueryString": url.query,
        "headers": {name.lower(): value for name, value in headers.items()},
        "queryStringParameters": query or None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": headers.get("Host", "127.0.0.1"),
            "http": {
                "method": method,
                "path": url.path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("User-Agent", ""),
            },
            "requestId": f"local-{time.time_ns()}",
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }


class ActionApiHandler(BaseHTTPRequestHandler):
    """The HTTP API in front of ActionFunction."""

    server_version = "xoxzo-din-local"

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        secrets = {os.environ.get(name, "") for name in ("ACTION_SECRET", "ACTION_SECRET_PREVIOUS")} - {
            "",
            "none",
        }
        if path not in {f"{ACTION_ROUTE}{secret}" for secret in secrets}:
            # API Gateway answers itself any path that is not a declared route: every route is a
            # secret, so a wrong secret never reaches the function.
            body = b'{"message":"Not Found"}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        event = http_api_event("GET", self.path, dict(self.headers.items()), self.client_address[0])
        result = invoke("ActionFunction", event)
        body = str(result.get("body") or "").encode("utf-8")
        self.send_response(int(result.get("statusCode", 200)))
        for name, value in (result.get("headers") or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"[action api] {format % args}\n")


class LambdaInvokeHandler(BaseHTTPRequestHandler):
    """POST /2015-03-31/functions/<name>/invocations, as `sam local start-lambda` serves it, plus the
    sink of custom-resource answers: PUT (by the function) and GET /cloudformation-response/<id>."""

    server_version = "xoxzo-din-local"

    def do_PUT(self) -> None:
        response_id = self._cloudformation_response_id()
        if response_id is None:
            self._reply(404, {"message": f"unknown path {self.path}"})
            return
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            answer: Any = json.loads(raw)
        except json.JSONDecodeError:
            answer = raw.decode("utf-8", "replace")
        cloudformation_responses.record(response_id, answer)
        # What S3 answers a pre-signed PUT: 200, no body.
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        if urlsplit(self.path).path == LOCAL_STACK_ROUTE:
            self._reply(200, local_stack)
            return
        response_id = self._cloudformation_response_id()
        answer = cloudformation_responses.get(response_id) if response_id is not None else None
        if answer is None:
            self._reply(404, {"message": f"no CloudFormation response at {self.path}"})
            return
        self._reply(200, answer)

    def _cloudformation_response_id(self) -> str | None:
        path = urlsplit(self.path).path
        if not path.startswith(CLOUDFORMATION_RESPONSE_ROUTE):
            return None
        return path[len(CLOUDFORMATION_RESPONSE_ROUTE) :] or None

    def do_POST(self) -> None:
        parts = urlsplit(self.path).path.strip("/").split("/")
        if len(parts) != 4 or parts[:2] != ["2015-03-31", "functions"] or parts[3] != "invocations":
            self._reply(404, {"message": f"unknown path {self.path}"})
            return
        if parts[2] not in FUNCTION_MODULES:
            self._reply(404, {"message": f"no function {parts[2]}; known: {', '.join(FUNCTION_MODULES)}"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            event = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError as error:
            self._reply(400, {"message": f"the event is not JSON: {error}"})
            return
        if not is_custom_resource_event(event):
            self._reply(200, invoke(parts[2], event))
            return
        # Never CloudFormation's S3 URL from a sample event: the answer is PUT to this server.
        port = self.connection.getsockname()[1]  # the port this server listens on
        event, sink_url = with_loopback_response_url(event, f"http://{LOOPBACK}:{port}")
        result = invoke(parts[2], event)
        answer = cloudformation_responses.get(sink_url.rsplit("/", 1)[1])
        status = answer.get("Status") if isinstance(answer, dict) else "nothing received"
        sys.stderr.write(
            f"[cloudformation] {event.get('RequestType')} {event.get('LogicalResourceId')}: {status} "
            f"(GET {sink_url})\n"
        )
        self._reply(200, result, {CLOUDFORMATION_RESPONSE_HEADER: sink_url})

    def _reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"[lambda invoke] {format % args}\n")


def ready_block(api_url: str, secret: str, lambda_url: str) -> str:
    """What `make local` prints once ready: the action URL, how to get xoxzo-din on PATH, and one
    explain and one check to try (the rest: docs/how-to/run-locally.md)."""
    local = "" if lambda_url == DEFAULT_LAMBDA_URL else f" --local {lambda_url}"
    return (
        "\nReady.\n"
        f"  Action URL:  {api_url}{ACTION_ROUTE}{secret}?caller=09012345678&recipient=0312345678\n"
        f"  In another terminal, from this folder, put xoxzo-din on PATH:  source .venv/bin/activate\n"
        f"  Then try:    xoxzo-din{local} routes explain 03-1234-5678 --caller 090-1234-5678\n"
        f"               xoxzo-din{local} routes check\n"
        "  Edits of the routes are kept (xoxzo-din routes history NUMBER); alerts print here.\n"
        "  Ctrl-C stops everything (docs/how-to/run-locally.md: ports, editing routes, the rest)."
    )


def _serve(handler: type[BaseHTTPRequestHandler], port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((LOOPBACK, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=3000, help="action API port (0: any free port)")
    parser.add_argument("--lambda-port", type=int, default=3001, help="Lambda invoke port (0: any)")
    parser.add_argument("--aws-port", type=int, default=8000, help="moto (DynamoDB...) port (0: any)")
    parser.add_argument("--xoxzo-port", type=int, default=8080, help="XOXZO DIN API emulator port (0: any)")
    parser.add_argument("--secret", default=LOCAL_ACTION_SECRET, help="the action secret to accept")
    arguments = parser.parse_args(argv)

    aws, aws_url = start_local_aws(arguments.aws_port, LOOPBACK)
    tables = prepare_tables(aws_url)
    alarm_topic = create_alarm_topic(aws_url)
    xoxzo = XoxzoEmulator(port=arguments.xoxzo_port).start()
    store_xoxzo_credentials(aws_url, xoxzo.sid, xoxzo.auth_token)

    api = _serve(ActionApiHandler, arguments.port)
    log_level = os.environ.get("POWERTOOLS_LOG_LEVEL")
    api_url = f"http://{LOOPBACK}:{api.server_address[1]}"
    os.environ.update(
        {
            "ACTION_SECRET": arguments.secret,
            "ACTION_URL": f"{api_url}/action/{arguments.secret}",
            "XOXZO_API_BASE_URL": xoxzo.base_url,
            "POWERTOOLS_SERVICE_NAME": "din-local",
            "POWERTOOLS_METRICS_NAMESPACE": "XoxzoDinLocal",
            "POWERTOOLS_LOG_LEVEL": log_level or "WARNING",
        }
    )
    lambda_api = _serve(LambdaInvokeHandler, arguments.lambda_port)
    lambda_url = f"http://{LOOPBACK}:{lambda_api.server_address[1]}"
    load_handler("ActionFunction")  # fail now, not on the first call, if the handler is broken
    load_handler("RouteChangesFunction")
    relay = StreamRelay(
        aws_url, tables["ROUTES_TABLE_NAME"], lambda event: invoke("RouteChangesFunction", event)
    ).start()
    alerts = AlertPrinter(aws_url, alarm_topic).start()
    if log_level is None:
        # Which rule answered each call (the "call answered" line, INFO) is worth seeing locally.
        importlib.import_module(FUNCTION_MODULES["ActionFunction"]).logger.setLevel("INFO")
    local_stack.update(
        {
            "StackName": "local",
            "Region": REGION,
            "AwsEndpointUrl": aws_url,
            "LambdaEndpointUrl": lambda_url,
            "Outputs": {
                "ActionUrl": f"{api_url}{ACTION_ROUTE}",
                "RoutesTableName": tables["ROUTES_TABLE_NAME"],
                "NumbersTableName": tables["NUMBERS_TABLE_NAME"],
                "HistoryTableName": tables["HISTORY_TABLE_NAME"],
                "ActionFunctionName": "ActionFunction",
                "ProvisioningFunctionName": "ProvisioningFunction",
                "XoxzoCredentialsSecretId": LOCAL_CREDENTIALS_SECRET_ID,
            },
            "Parameters": {
                "FallbackAction": os.environ.get("FALLBACK_ACTION", ""),
                "HistoryRetentionDays": str(load_template()["Parameters"]["HistoryRetentionDays"]["Default"]),
            },
            # What a deployed stack's GetFunctionConfiguration gives an operator allowed to read it.
            "ActionFunctionEnvironment": {"ACTION_SECRET": arguments.secret, "ACTION_SECRET_PREVIOUS": ""},
            # The route-changes function runs on the table's stream: the history is kept.
            "RecordsHistory": True,
        }
    )

    ready = {
        "action_url": f"{api_url}/action/{arguments.secret}",
        "lambda_url": lambda_url,
        "aws_url": aws_url,
        "xoxzo_url": xoxzo.base_url,
    }
    print(json.dumps({"ready": ready, "tables": tables}), flush=True)
    print(ready_block(api_url, arguments.secret, lambda_url), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        relay.stop()
        alerts.stop()
        api.shutdown()
        lambda_api.shutdown()
        xoxzo.stop()
        aws.stop()


if __name__ == "__main__":
    main()
