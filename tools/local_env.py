"""A local AWS for the functions: moto's server on loopback with the template's tables and sample data.

Used by `make local` (tools/local_server.py), the end-to-end tests and the benchmarks.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from moto.server import ThreadedMotoServer

from tools.template_tables import create_all_tables

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REGION = "ap-northeast-1"
# The documented secret of local runs (README): /action/local-dev-secret-change-me-0123456789
LOCAL_ACTION_SECRET = "local-dev-secret-change-me-0123456789"  # noqa: S105 - a public, local-only value
# The Secrets Manager secret that holds the XOXZO credentials in local runs (moto).
LOCAL_CREDENTIALS_SECRET_ID = "local/xoxzo-credentials"  # noqa: S105 - a name, not a secret
# The alarm topic of local runs, in moto's default account (events/local-env.json names it).
LOCAL_ALARM_TOPIC_ARN = f"arn:aws:sns:{REGION}:123456789012:local-alarms"
REPOSITORY = Path(__file__).resolve().parent.parent
SAMPLE_ROUTES_PATH = REPOSITORY / "tools" / "sample_routes.json"
# What each events/action/ sample event is answered with the sample routes in the table.
SAMPLE_ANSWERS_PATH = REPOSITORY / "tools" / "sample_answers.json"
# Where Lambda would find the code: the layer (/opt/python) and each function's CodeUri.
CODE_PATHS = (
    "layers/shared",
    "functions/action",
    "functions/provisioning",
    "functions/route_changes",
    "functions/canary",
)

# Credentials moto accepts; they never reach AWS because every endpoint is on loopback.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
}


def add_code_paths() -> None:
    for relative in CODE_PATHS:
        path = str(REPOSITORY / relative)
        if path not in sys.path:
            sys.path.insert(0, path)


def sample_routes() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(SAMPLE_ROUTES_PATH.read_text(encoding="utf-8"))
    return items


def sample_answers() -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = json.loads(SAMPLE_ANSWERS_PATH.read_text(encoding="utf-8"))
    return answers


def put_route_items(client: DynamoDBClient, table_name: str, items: Iterable[Mapping[str, Any]]) -> int:
    """Seed the routes table (on the client's endpoint) with `items`, through the tables package."""
    add_code_paths()
    from xoxzo_din.tables.routes import put_items  # noqa: PLC0415  (the layer, once on the path)

    resource = boto3.resource(
        "dynamodb", endpoint_url=client.meta.endpoint_url, region_name=client.meta.region_name
    )
    return put_items(resource.Table(table_name), items)


def point_environment_at(endpoint_url: str) -> dict[str, str]:
    """Environment for code that should talk to the local AWS (all services on one endpoint)."""
    environment = {
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }
    os.environ.update(environment)
    return environment


def prepare_tables(endpoint_url: str, *, seed: bool = True) -> dict[str, str]:
    """Create the template's tables at `endpoint_url`, seed the sample routes, and export the
    table-name variables the functions read. Returns {variable: table name}."""
    client = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=REGION)
    names = create_all_tables(client, prefix="local")
    if seed:
        put_route_items(client, names["ROUTES_TABLE_NAME"], sample_routes())
    os.environ.update(names)
    return names


def create_alarm_topic(endpoint_url: str) -> str:
    """The topic edit-time alerts go to (a route-changes function run against `make local`)."""
    client = boto3.client("sns", endpoint_url=endpoint_url, region_name=REGION)
    arn: str = client.create_topic(Name=LOCAL_ALARM_TOPIC_ARN.rsplit(":", 1)[1])["TopicArn"]
    os.environ["ALARM_TOPIC_ARN"] = arn
    return arn


def store_xoxzo_credentials(endpoint_url: str, sid: str, auth_token: str) -> str:
    """Put XOXZO credentials where the provisioning function reads them; returns the secret id."""
    client = boto3.client("secretsmanager", endpoint_url=endpoint_url, region_name=REGION)
    client.create_secret(
        Name=LOCAL_CREDENTIALS_SECRET_ID, SecretString=json.dumps({"sid": sid, "auth_token": auth_token})
    )
    os.environ["XOXZO_CREDENTIALS_SECRET_ID"] = LOCAL_CREDENTIALS_SECRET_ID
    return LOCAL_CREDENTIALS_SECRET_ID


def start_local_aws(port: int = 0, host: str = "127.0.0.1") -> tuple[ThreadedMotoServer, str]:
    """moto's server (every AWS service on one endpoint) on loopback, with this process's AWS
    environment pointed at it. Returns the server (call .stop()) and its URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per request
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    url = "http://{}:{}".format(*server.get_host_and_port())
    point_environment_at(url)
    return server, url
