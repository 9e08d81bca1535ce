"""Fixtures of the provisioning handler's integration tests (helpers: handler_world.py)."""

from __future__ import annotations

import importlib
import json
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any

import pytest
from aws_lambda_powertools.utilities import parameters

from tests.integration.provisioning.handler_world import ACTION_URL, FAST_CLIENT, CloudFormation, put_secret
from tools.xoxzo_emulator import XoxzoEmulator
from xoxzo_din.provisioning import runtime as provisioning_runtime


@pytest.fixture
def cloudformation() -> Iterator[CloudFormation]:
    received = CloudFormation(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received.answers.append(json.loads(self.rfile.read(length)))
            received.content_types.append(self.headers.get("Content-Type"))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received.url = f"http://127.0.0.1:{server.server_address[1]}/cfn-response?X-Amz-Signature=test"
    yield received
    server.shutdown()
    server.server_close()


@pytest.fixture
def provisioning_env(
    tables: dict[str, str], xoxzo_emulator: XoxzoEmulator, monkeypatch: pytest.MonkeyPatch
) -> XoxzoEmulator:
    """Tables, the emulator's credentials in Secrets Manager, and the function's environment."""
    parameters.clear_caches()
    monkeypatch.setenv(
        "XOXZO_CREDENTIALS_SECRET_ID",
        put_secret({"sid": xoxzo_emulator.sid, "auth_token": xoxzo_emulator.auth_token}),
    )
    monkeypatch.setenv("XOXZO_API_BASE_URL", xoxzo_emulator.base_url)
    monkeypatch.setenv("ACTION_URL", ACTION_URL)
    return xoxzo_emulator


@pytest.fixture
def load_handler(
    provisioning_env: XoxzoEmulator, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Callable[[], ModuleType]]:
    """Import the handler afresh (a cold start), with fast XOXZO clients: tiny timeouts, no sleep."""

    def load() -> ModuleType:
        # A service name of its own: Powertools reuses a logger (and its captured stdout) by name.
        monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"din-provisioning-{request.node.name}")
        sys.modules.pop("provisioning_handler", None)
        module = importlib.import_module("provisioning_handler")
        monkeypatch.setattr(provisioning_runtime, "OPERATION_CLIENT", FAST_CLIENT)
        monkeypatch.setattr(provisioning_runtime, "CUSTOM_RESOURCE_CLIENT", FAST_CLIENT)
        return module

    yield load
    sys.modules.pop("provisioning_handler", None)
    parameters.clear_caches()
