"""The layer's Makefile builds for the runtime and architecture that template.yaml declares."""

from __future__ import annotations

import re
from pathlib import Path

from tools.template_tables import load_template

LAYER_MAKEFILE = Path(__file__).resolve().parents[2] / "layers" / "shared" / "Makefile"


def makefile_variable(name: str) -> str:
    match = re.search(rf"^{name}\s*:=\s*(\S+)\s*$", LAYER_MAKEFILE.read_text(), re.MULTILINE)
    assert match, f"{name} not set in {LAYER_MAKEFILE}"
    return match.group(1)


def test_layer_makefile_targets_the_functions_runtime_and_architecture() -> None:
    template = load_template()
    function_globals = template["Globals"]["Function"]
    layer = template["Resources"]["SharedLayer"]

    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert "build-SharedLayer:" in LAYER_MAKEFILE.read_text()
    runtime = function_globals["Runtime"]
    assert layer["Properties"]["CompatibleRuntimes"] == [runtime]
    assert runtime == f"python{makefile_variable('LAMBDA_PYTHON_VERSION')}"

    architecture = layer["Metadata"]["BuildArchitecture"]
    assert function_globals["Architectures"] == [architecture]
    assert layer["Properties"]["CompatibleArchitectures"] == [architecture]
    platform_machine = {"arm64": "aarch64", "x86_64": "x86_64"}[architecture]
    assert makefile_variable("LAMBDA_PLATFORM") == f"manylinux2014_{platform_machine}"
