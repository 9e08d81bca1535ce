"""The documented provisioning commands (docs/how-to/provision-numbers.md): an invocation that
outlasts the CLI's read timeout is sent again by botocore, so every documented `aws lambda invoke`
waits longer than the function can run, and `sam remote invoke` (whose 60 s read timeout cannot be
changed) comes with its caveat."""

from __future__ import annotations

import re
from pathlib import Path

from tools.template_tables import load_template

ROOT = Path(__file__).resolve().parents[2]
BOTOCORE_DEFAULT_READ_TIMEOUT = 60


def provisioning_section() -> str:
    return (ROOT / "docs" / "how-to" / "provision-numbers.md").read_text(encoding="utf-8")


def function_timeout() -> int:
    template = load_template()
    properties = template["Resources"]["ProvisioningFunction"]["Properties"]
    return int(properties.get("Timeout") or template["Globals"]["Function"]["Timeout"])


def test_every_aws_lambda_invoke_waits_longer_than_the_function_can_run() -> None:
    assert function_timeout() > BOTOCORE_DEFAULT_READ_TIMEOUT  # why this matters at all
    shell = "\n".join(re.findall(r"```sh\n(.*?)```", provisioning_section(), flags=re.DOTALL))
    commands = re.findall(r"aws lambda invoke(?:[^\n]*\\\n)*[^\n]*", shell)
    assert commands
    for command in commands:
        read = re.search(r"--cli-read-timeout (\d+)", command)
        assert read is not None, command
        assert int(read.group(1)) == 0 or int(read.group(1)) > function_timeout(), command
        assert re.search(r"--cli-connect-timeout \d+", command), command


def test_sam_remote_invoke_comes_with_its_read_timeout_caveat() -> None:
    section = provisioning_section()
    assert "sam remote invoke" in section
    assert "AWS_MAX_ATTEMPTS=1 sam remote invoke" in section
