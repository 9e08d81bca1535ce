from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def local_server() -> Iterator[dict[str, Any]]:
    """`python -m tools.local_server` as `make local` runs it, on free ports; yields its URLs."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "POWERTOOLS_"))
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tools.local_server",
            "--port",
            "0",
            "--lambda-port",
            "0",
            "--aws-port",
            "0",
            "--xoxzo-port",
            "0",
        ],
        cwd=REPOSITORY,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert first_line, "the local server exited before it was ready"
        yield json.loads(first_line)["ready"]
    finally:
        process.terminate()
        process.wait(timeout=10)
