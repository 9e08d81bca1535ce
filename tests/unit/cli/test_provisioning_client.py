"""Every error kind the function can answer has a next step and an exit status, and the reference
page's table of exit statuses says the same; the tool waits longer than the function can run."""

import re
from pathlib import Path

from tools.template_tables import load_template
from xoxzo_din.provisioning.errors import ERROR_KINDS, INTERNAL_ERROR
from xoxzo_din_cli.provisioning_client import EXIT_INVALID, NEXT_STEPS, READ_TIMEOUT_SECONDS

PAGE = Path(__file__).resolve().parents[3] / "docs" / "reference" / "operator-tool.md"


def test_every_error_kind_has_a_next_step():
    assert set(ERROR_KINDS) | {INTERNAL_ERROR} <= set(NEXT_STEPS)
    assert all(len(step) > 10 for _, step in NEXT_STEPS.values())


def test_the_page_lists_each_kind_under_its_exit_status():
    text = PAGE.read_text(encoding="utf-8")
    documented = {
        kind: int(status)
        for status, cell in re.findall(r"^\| (\d) \| (.*) \|$", text, flags=re.MULTILINE)
        for kind in re.findall(r"`([A-Za-z]+)`", cell)
        if kind in NEXT_STEPS
    }
    expected = {
        kind: status
        for kind, (status, _) in NEXT_STEPS.items()
        if kind in ERROR_KINDS or kind == INTERNAL_ERROR
    }
    expected.pop("InvalidRequest")
    assert documented == expected
    assert NEXT_STEPS["InvalidRequest"][0] == EXIT_INVALID == 2


def test_the_tool_waits_longer_than_the_provisioning_function_can_run():
    timeout = load_template()["Resources"]["ProvisioningFunction"]["Properties"]["Timeout"]
    assert timeout < READ_TIMEOUT_SECONDS
