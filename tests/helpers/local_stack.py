"""The local stack of `make local` as the end-to-end tests reach it: the operators' tool run as an
operator runs it (a process), and the stack's routes table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from tools.local_env import REGION

REPOSITORY = Path(__file__).resolve().parents[2]


def tool(
    local_server: dict[str, Any], *arguments: str, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environment["PYTHONPATH"] = os.pathsep.join(str(REPOSITORY / path) for path in ("cli", "layers/shared"))
    environment["COLUMNS"] = "200"
    return subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [sys.executable, "-m", "xoxzo_din_cli", "--local", local_server["lambda_url"], *arguments],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        input=input_text,
        text=True,
        timeout=120,
        check=False,
    )


def routes_table(local_server: dict[str, Any]) -> Any:
    return boto3.resource(
        "dynamodb",
        endpoint_url=local_server["aws_url"],
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    ).Table("local-RoutesTable")
