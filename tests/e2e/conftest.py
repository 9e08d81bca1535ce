from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def local_server() -> Iterator[dict[str, Any]]:
    """`python -m tools.local_server` as `make local` runs it, on free ports; yields its URLs, and
    under "printed" the lines it prints after its first."""
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
        # What it prints after (the ready block, logs, alerts), read as it comes: a pipe nobody
        # reads would fill up and stop the server.
        printed: list[str] = []

        def read(stream: Any = process.stdout) -> None:
            for line in stream:
                printed.append(line)

        threading.Thread(target=read, daemon=True).start()
        yield {**json.loads(first_line)["ready"], "printed": printed}
    finally:
        process.terminate()
        process.wait(timeout=10)
