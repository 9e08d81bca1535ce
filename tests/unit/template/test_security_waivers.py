"""Every finding the scanners are told to skip is listed, with its reason, on the security scans page."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
PAGE = (ROOT / "docs" / "reference" / "security-scans.md").read_text(encoding="utf-8")


def documented(prefix: str) -> set[str]:
    return set(re.findall(rf"^\| `({prefix}[A-Z_0-9]+)`", PAGE, flags=re.MULTILINE)) | set(
        re.findall(rf", `({prefix}[0-9]+)`", PAGE)
    )


def test_checkov_skips_are_documented():
    skipped = set(yaml.safe_load((ROOT / ".checkov.yaml").read_text(encoding="utf-8"))["skip-check"])
    assert skipped and skipped == documented("CKV_AWS_")


def test_bandit_skips_are_documented():
    skipped = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["bandit"]["skips"]
    )
    assert skipped and skipped == documented("B")
