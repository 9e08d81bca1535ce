"""The layer ships exactly its lock: every top-level pin of requirements.txt at the same version,
every package with a hash, installed with --require-hashes (layers/shared/Makefile)."""

import re
from pathlib import Path

LAYER = Path(__file__).resolve().parents[2] / "layers" / "shared"


def pins(text: str) -> dict[str, str]:
    return {
        name.lower().replace("_", "-"): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", text, flags=re.MULTILINE)
    }


def test_the_lock_pins_every_top_level_requirement_at_its_version():
    top = pins((LAYER / "requirements.txt").read_text(encoding="utf-8"))
    locked = pins((LAYER / "requirements.lock").read_text(encoding="utf-8"))
    assert top and {name: locked.get(name) for name in top} == top
    assert {"urllib3", "certifi", "idna", "charset-normalizer"} <= set(locked)  # what requests pulls in


def test_every_locked_package_has_a_hash_and_the_build_requires_them():
    lock = (LAYER / "requirements.lock").read_text(encoding="utf-8")
    entries = re.findall(
        r"^([a-z0-9_.-]+==\S+) \\\n    --hash=sha256:([0-9a-f]{64})$", lock, flags=re.MULTILINE
    )
    assert len(entries) == len(pins(lock)) > 5
    makefile = (LAYER / "Makefile").read_text(encoding="utf-8")
    assert '--require-hashes --requirement "$(HERE)requirements.lock"' in makefile


def test_the_build_check_also_runs_on_the_oldest_runtime_sdk_pinned_whole():
    """make build-check runs the built functions on the newest SDK and on this one (item: a layer's
    urllib3 the runtime's own botocore cannot use fails the build check, not production)."""
    tools = LAYER.parents[1] / "tools"
    oldest = (tools / "lambda-runtime-sdk.txt").read_text(encoding="utf-8")
    pinned = pins(oldest)
    assert set(pinned) == {"boto3", "botocore", "s3transfer"}
    assert pinned["boto3"] == pinned["botocore"]  # boto3 1.x.y needs botocore 1.x.y
    assert len(re.findall(r"--hash=sha256:[0-9a-f]{64}$", oldest, flags=re.MULTILINE)) == 3
    smoke = (tools / "build_smoke.py").read_text(encoding="utf-8")
    assert 'SDK_PACKAGES = ("boto3", "botocore", "s3transfer")' in smoke
    assert '"--require-hashes"' in smoke and "for oldest in (False, True):" in smoke
