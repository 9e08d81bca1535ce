"""`xoxzo-din numbers` and `doctor` against the local stack and its XOXZO emulator, through the
ProvisioningFunction, as an operator runs them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.helpers.local_stack import routes_table, tool

pytestmark = pytest.mark.e2e
DIN_UID = "JPh6ky2rf8zwm1qc"  # an emulator number: 03-5550-1234
NUMBER = "+81355501234"


class Media(BaseHTTPRequestHandler):
    """/hello.mp3 is an MP3; anything else is 404."""

    def do_HEAD(self) -> None:
        found = self.path == "/hello.mp3"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "audio/mpeg" if found else "text/html")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def media() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Media)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def subscribed(local_server) -> str:
    """The number, subscribed through the tool (answering the cost question), with an MP3 rule."""
    result = tool(local_server, "numbers", "subscribe", DIN_UID, input_text="y\n")
    assert result.returncode == 0, result.stderr
    assert "1300 credits a month" in result.stderr
    assert f"subscribed: 03-5550-1234 ({NUMBER}, {DIN_UID})" in result.stdout
    return NUMBER


def failed_checks(local_server: dict[str, Any]) -> tuple[int, set[tuple[str, str]]]:
    result = tool(local_server, "doctor", "--json")
    report = json.loads(result.stdout)
    return result.returncode, {(c["number"], c["name"]) for c in report["checks"] if c["status"] == "fail"}


def test_search_shows_numbers_in_both_forms_with_costs(local_server):
    result = tool(local_server, "numbers", "search", "--prefix", "813")
    assert result.returncode == 0, result.stderr
    assert "03-5550-1234" in result.stdout and NUMBER in result.stdout and "1300" in result.stdout


def test_a_refusal_is_one_sentence_with_the_next_step_and_its_own_status(local_server):
    result = tool(local_server, "numbers", "subscribe", "JPnotoffered000", "--yes")
    assert result.returncode == 5
    assert result.stderr.startswith("error: NotAvailable: ") and "Next: search again" in result.stderr
    invalid = tool(local_server, "numbers", "search", "--prefix", "03")
    assert invalid.returncode == 2 and "write '813' for 03" in invalid.stderr


def test_subscribe_asks_before_paying(local_server):
    result = tool(local_server, "numbers", "subscribe", "JPi4vb9xs2hdt7ne", input_text="n\n")
    assert result.returncode == 1 and "Aborted" in result.stderr
    listed = json.loads(tool(local_server, "numbers", "list", "--json").stdout)
    assert "JPi4vb9xs2hdt7ne" not in {n["din_uid"] for n in listed["numbers"]}


def test_list_shows_the_subscribed_number(local_server, subscribed):
    result = tool(local_server, "numbers", "list")
    assert result.returncode == 0
    row = next(line for line in result.stdout.splitlines() if DIN_UID in line)
    assert "03-5550-1234" in row and NUMBER in row and "active" in row and "127.0.0.1" in row


def test_doctor_passes_then_each_break_fails_exactly_its_check(local_server, subscribed, media):
    table = routes_table(local_server)
    mp3_rule = {
        "number": NUMBER,
        "rule_id": "010-anonymous",
        "callers": "anonymous",
        "action": "playback",
        "url": f"{media}/hello.mp3",
    }
    table.put_item(Item=mp3_rule)
    status, failed = failed_checks(local_server)
    assert (status, failed) == (0, set())

    # Pointed elsewhere: only "the action URL at XOXZO" fails.
    assert (
        tool(
            local_server,
            "numbers",
            "set-action-url",
            DIN_UID,
            "--action-url",
            "http://elsewhere.test/a",
            "--force",
        ).returncode
        == 0
    )
    assert failed_checks(local_server) == (1, {(NUMBER, "action URL at XOXZO")})
    assert tool(local_server, "numbers", "set-action-url", DIN_UID).returncode == 0
    assert failed_checks(local_server) == (0, set())

    # A broken route: only the routes check fails.
    table.put_item(Item={"number": NUMBER, "rule_id": "020-typo", "hours": "9-17", "action": "voicemail"})
    assert failed_checks(local_server) == (1, {(NUMBER, "routes check")})
    table.delete_item(Key={"number": NUMBER, "rule_id": "020-typo"})

    # No global default: only that check fails.
    global_default = table.get_item(Key={"number": "*", "rule_id": "default"})["Item"]
    table.delete_item(Key={"number": "*", "rule_id": "default"})
    assert failed_checks(local_server) == (1, {("(stack)", "global default")})
    table.put_item(Item=global_default)

    # An MP3 URL that answers 404: only the MP3 check fails.
    table.put_item(Item={**mp3_rule, "url": f"{media}/missing.mp3"})
    assert failed_checks(local_server) == (1, {(NUMBER, "MP3 files")})
    table.put_item(Item=mp3_rule)
    assert failed_checks(local_server) == (0, set())
    people = tool(local_server, "doctor")
    assert "1 number(s): " in people.stdout and " 0 failed" in people.stdout


def test_cancel_needs_the_number_typed_back(local_server, subscribed):
    refused = tool(local_server, "numbers", "cancel", DIN_UID, input_text="03-0000-0000\n")
    assert refused.returncode == 2 and "confirm '03-0000-0000' matches neither" in refused.stderr
    done = tool(local_server, "numbers", "cancel", DIN_UID, input_text="03-5550-1234\n")
    assert done.returncode == 0, done.stderr
    assert f"cancelled: 03-5550-1234 ({DIN_UID})" in done.stdout
    report = json.loads(tool(local_server, "numbers", "sync", "--json").stdout)
    assert report["errors"] == [] and report["at_xoxzo"] == 0
