"""Every environment variable a function's code reads is named in that function's settings module
and declared for it in template.yaml, and every variable the template declares is read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tools.template_tables import function_environment
from xoxzo_din.canary import settings as canary_settings
from xoxzo_din.provisioning import settings as provisioning_settings
from xoxzo_din.route_changes import settings as route_changes_settings
from xoxzo_din.routing import settings as routing_settings

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "shared" / "xoxzo_din"

# Read by libraries, not by our code: Powertools (service name, log level, metrics namespace; the
# action function reads them itself, for its own logs and metrics) and botocore (AWS_ENDPOINT_URL,
# declared so that `sam local invoke --env-vars` can set it).
LIBRARY_VARIABLES = frozenset(
    {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL", "POWERTOOLS_METRICS_NAMESPACE", "AWS_ENDPOINT_URL"}
)
SETTINGS_MODULES = {
    "ActionFunction": (LAYER / "routing" / "settings.py", routing_settings.VARIABLES),
    "ProvisioningFunction": (LAYER / "provisioning" / "settings.py", provisioning_settings.VARIABLES),
    "RouteChangesFunction": (LAYER / "route_changes" / "settings.py", route_changes_settings.VARIABLES),
    "CanaryFunction": (LAYER / "canary" / "settings.py", canary_settings.VARIABLES),
}


@pytest.mark.parametrize("function", sorted(SETTINGS_MODULES))
def test_the_template_declares_exactly_what_the_function_reads(function: str) -> None:
    _, read = SETTINGS_MODULES[function]
    declared = set(function_environment(function))
    assert read - declared == set(), f"{function} reads variables the template does not declare"
    assert declared - read - LIBRARY_VARIABLES == set(), f"{function} is given variables nothing reads"


def _environment_reads(path: Path) -> list[str]:
    """Where a module touches the process environment: os.environ, os.getenv, os.putenv."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "putenv", "environb"}:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.attr}")
    return found


def test_only_the_settings_modules_read_the_environment() -> None:
    sources = [*LAYER.rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
    allowed = {path for path, _ in SETTINGS_MODULES.values()}
    assert len(sources) > 20  # the scan saw the whole layer
    reads = [read for path in sources if path not in allowed for read in _environment_reads(path)]
    assert reads == []
    for path in allowed:
        assert _environment_reads(path), f"{path.name} should be where the environment is read"


@pytest.mark.parametrize("function", sorted(SETTINGS_MODULES))
def test_every_variable_name_constant_is_in_its_settings_variables(function: str) -> None:
    path, read = SETTINGS_MODULES[function]
    constants = {
        node.value.value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and isinstance(target := (node.targets[0] if isinstance(node, ast.Assign) else node.target), ast.Name)
        and target.id.endswith("_ENV")
        and isinstance(node.value, ast.Constant)
    }
    assert constants, f"no *_ENV constant in {path.name}"
    assert constants <= read


class RecordingEnvironment(dict[str, str]):
    """An environment that remembers every name read from it."""

    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)


@pytest.mark.parametrize(
    ("function", "read"),
    [
        ("ActionFunction", routing_settings.ActionSettings.from_environment),
        ("ProvisioningFunction", provisioning_settings.ProvisioningSettings.from_environment),
        ("RouteChangesFunction", route_changes_settings.RouteChangesSettings.from_environment),
        ("CanaryFunction", canary_settings.CanarySettings.from_environment),
    ],
)
def test_the_variables_list_is_what_the_settings_really_read(function, read) -> None:
    environment = RecordingEnvironment()
    read(environment)
    assert environment.read == SETTINGS_MODULES[function][1]
