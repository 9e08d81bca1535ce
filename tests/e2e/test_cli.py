"""The operators' tool against the local stack of `make local`, as an operator runs it."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.local_stack import routes_table, tool
from tools.local_env import sample_answers

REPOSITORY = Path(__file__).resolve().parents[2]
EVENTS = REPOSITORY / "events" / "action"
NUMBER = "+81312345678"

pytestmark = pytest.mark.e2e


def test_check_names_a_broken_block_list_rule_and_passes_once_it_is_fixed(local_server):
    assert tool(local_server, "routes", "check").returncode == 0
    table = routes_table(local_server)
    good = table.get_item(Key={"number": NUMBER, "rule_id": "010-blocked"})["Item"]
    table.put_item(Item={**good, "action": "sya"})  # a console typo
    try:
        broken = tool(local_server, "routes", "check", "--json")
        assert broken.returncode == 1, broken.stderr
        report = json.loads(broken.stdout)
        assert report["errors"] == 1
        assert [(f["rule_id"], f["attribute"]) for f in report["findings"]] == [
            ("010-blocked", "action"),
            ("010-blocked", "callers"),
        ]
        people = tool(local_server, "routes", "check")
        assert people.returncode == 1 and "010-blocked" in people.stdout and "1 error(s)" in people.stdout
    finally:
        table.put_item(Item=good)
    fixed = tool(local_server, "routes", "check")
    assert fixed.returncode == 0 and "0 error(s), 0 warning(s)" in fixed.stdout


def invoke_action_function(local_server: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{local_server['lambda_url']}/2015-03-31/functions/ActionFunction/invocations",
        data=json.dumps(event).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.load(response)
    return answer


def test_explain_gives_the_action_functions_answer_for_every_sample_event(local_server):
    compared = 0
    for path in sorted(EVENTS.glob("*.json")):
        if sample_answers()[path.name]["status"] != 200:
            continue
        event = json.loads(path.read_text(encoding="utf-8"))
        query = event["queryStringParameters"]
        at = datetime.fromtimestamp(event["requestContext"]["timeEpoch"] / 1000, UTC).isoformat()
        result = tool(
            local_server,
            "routes",
            "explain",
            query["recipient"],
            "--caller",
            query.get("caller") or "",
            "--at",
            at,
            "--json",
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["line"] == invoke_action_function(local_server, event)["body"], (
            path.name
        )
        compared += 1
    assert compared == 9


def test_calendar_page_shows_the_lunch_break_the_holiday_and_the_new_year_closure(local_server, tmp_path):
    page = tmp_path / "calendar.html"
    result = tool(
        local_server, "routes", "calendar", "03-1234-5678", "--start", "2026-11-22", "--html", str(page)
    )
    assert result.returncode == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<script" not in text and "<link" not in text
    assert "title='12:00-13:00 number-default" in text  # the lunch break
    assert "勤労感謝の日" in text  # 23 November
    assert "by date: 040-new-year" in text  # the new-year closure
    assert "<h3>October 2027</h3>" in text and "<h3>January 2026</h3>" not in text  # the coming year
    assert result.stdout.startswith(f"wrote {page}") and "Mon 11-23" not in result.stdout  # no grid
    terminal = tool(local_server, "routes", "calendar", "03-1234-5678", "--start", "2026-11-22")
    assert (
        "Mon 11-23" in terminal.stdout and "勤労感謝の日" in terminal.stdout and "holiday" in terminal.stdout
    )


def test_export_then_import_dry_run_reports_no_change(local_server, tmp_path):
    exported = tmp_path / "routes.yaml"
    assert tool(local_server, "routes", "export", "-o", str(exported)).returncode == 0
    result = tool(local_server, "routes", "import", str(exported), "--dry-run", "--prune")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no change"


def test_an_invalid_file_changes_nothing(local_server, tmp_path):
    before = tool(local_server, "routes", "export").stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        'version: 1\nnumbers:\n  "+81312345678":\n    001-new: {action: voicemail}\n'
        '    002-typo: {hours: "9-17", action: voicemail}\n',
        encoding="utf-8",
    )
    result = tool(local_server, "routes", "import", str(bad))
    assert result.returncode == 1
    assert "002-typo" in result.stderr and "nothing was written" in result.stderr
    assert tool(local_server, "routes", "export").stdout == before


def wait_for(check: Any, seconds: float = 20.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def test_make_local_prints_how_to_use_it(local_server):
    ready = "".join(
        wait_for(
            lambda: (
                [line for line in local_server["printed"] if "Then try" in line] and local_server["printed"]
            )
        )
    )
    assert f"{local_server['action_url']}?caller=" in ready
    assert "source .venv/bin/activate" in ready
    assert "routes explain 03-1234-5678 --caller 090-1234-5678" in ready and "routes check" in ready


def test_an_edit_of_the_local_stack_is_kept_alerted_and_can_be_undone(local_server):
    before = (datetime.now(UTC) - timedelta(seconds=2)).isoformat(timespec="seconds")
    table = routes_table(local_server)
    good = table.get_item(Key={"number": NUMBER, "rule_id": "020-vip"})["Item"]
    table.put_item(Item={**good, "to": "03-1234-000"})  # a digit missing: the function skips it
    try:
        history = wait_for(
            lambda: [
                change
                for change in json.loads(tool(local_server, "routes", "history", NUMBER, "--json").stdout)
                if change["rule_id"] == "020-vip"
            ]
        )
        assert [(c["kind"], c["old"]["to"], c["new"]["to"]) for c in history] == [
            ("changed", "+81312340001", "03-1234-000")
        ]
        dry = tool(local_server, "routes", "restore", NUMBER, "--at", before, "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "~ +81312345678/020-vip" in dry.stdout and "to: '03-1234-000' -> '+81312340001'" in dry.stdout
        alert = wait_for(lambda: "".join(local_server["printed"]).partition("[edit alert]")[2])
        assert "020-vip / to" in alert and "03-1234-000 has 9 digits; Japanese numbers have 10 or 11" in alert
    finally:
        table.put_item(Item=good)


def test_the_readme_gets_xoxzo_din_on_path_as_written(local_server):
    """The README's lines, in a shell without .venv/bin on PATH (the local stack's port added)."""
    if not (REPOSITORY / ".venv" / "bin" / "activate").exists():
        pytest.skip("no .venv: make venv creates it")
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    block = next(block for block in readme.split("```sh")[1:] if "activate" in block).split("```")[0]
    lines = [line.split("  #")[0].strip() for line in block.strip().splitlines()]
    assert lines[0] == "source .venv/bin/activate" and lines[1].startswith("xoxzo-din routes explain")
    script = " && ".join(
        line.replace("xoxzo-din ", f"xoxzo-din --local {local_server['lambda_url']} ") for line in lines
    )
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    shell = subprocess.run(  # noqa: S603 - our README's own lines
        ["/bin/bash", "-c", script],
        cwd=REPOSITORY,
        env={"PATH": path, "HOME": os.environ.get("HOME", "/tmp"), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "command not found" not in shell.stderr
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.startswith("transfer +81312340001")
