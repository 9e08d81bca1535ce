"""The test tiers stay honest: a module under tests/unit/ does no I/O, and no test module imports
another.

Read from the source text (nothing is imported): no unit test module imports a library or tool that
reaches AWS, a socket or a process, directly or through a helper of tests/helpers/, and none asks
for the fixtures that start moto or the XOXZO emulator. Tests that need them belong in
tests/functional/ (moto, in-memory fakes) or tests/integration/ (loopback HTTP, sockets). What
test modules share lives in fixtures (conftest.py) or in helper modules (tests/helpers/), never
in a test module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
UNIT = TESTS / "unit"

FORBIDDEN_MODULES = frozenset(
    {
        "moto",
        "boto3",
        "socket",
        "subprocess",
        "http.server",
        "requests",
        "tools.xoxzo_emulator",
        "tools.local_server",
    }
)
FORBIDDEN_FIXTURES = frozenset({"tables", "mocked_aws", "xoxzo_emulator"})

# Explicit exceptions, per module and per import: nothing else of FORBIDDEN_MODULES is allowed there.
ALLOWED_IMPORTS: dict[str, frozenset[str]] = {
    # Not moved here, owned by the documentation work: finds the tracked docs pages with `git ls-files`
    # (and walks the tree when git is not there).
    "test_docs.py": frozenset({"subprocess"}),
    # The client under test takes a requests.Session: the test hands it a Session subclass whose
    # request() returns scripted requests.Response objects or raises requests' exception classes, so
    # no adapter, connection or socket is ever reached.
    "xoxzo/test_client.py": frozenset({"requests"}),
    # boto3's Binary value type only (a round trip of a binary attribute), never a client.
    "cli/routes/test_routes_file.py": frozenset({"boto3"}),
    # boto3's attribute-value types only (its TypeDeserializer and TypeSerializer, what the call
    # path's own reader is compared with), never a client.
    "tables/test_attribute_values.py": frozenset({"boto3"}),
}


def unit_modules() -> list[Path]:
    return sorted(UNIT.rglob("*.py"))


def _forbidden(name: str) -> str | None:
    for module in FORBIDDEN_MODULES:
        if name == module or name.startswith(module + "."):
            return module
    return None


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name) of every absolute import; `from a import b` counts as both a and a.b, so
    that `from http import server` is http.server. importlib.import_module("x") and
    __import__("x") with a literal name count too."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func
            called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
            if called in {"import_module", "__import__"} and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def requested_fixtures(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, name) of every fixture a module could ask for: the parameters of its functions (tests
    and fixtures), and the literal names given to usefixtures() or request.getfixturevalue()."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                found.append((node.lineno, argument.arg))
        elif isinstance(node, ast.Call):
            function = node.func
            called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
            if called in {"usefixtures", "getfixturevalue"}:
                found.extend(
                    (node.lineno, argument.value)
                    for argument in node.args
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str)
                )
    return found


def io_in(source: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """What in `source` belongs to a tier with I/O, as "line: what" strings; `allowed` are the
    forbidden modules this one may import all the same."""
    tree = ast.parse(source)
    problems = [
        f"{line}: imports {name}"
        for line, name in imported_modules(tree)
        if (module := _forbidden(name)) is not None and module not in allowed
    ]
    problems += [
        f"{line}: uses the fixture {name}"
        for line, name in requested_fixtures(tree)
        if name in FORBIDDEN_FIXTURES
    ]
    return sorted(set(problems))


def test_the_scan_sees_every_unit_test_module() -> None:
    modules = {path.relative_to(UNIT).as_posix() for path in unit_modules()}
    assert {"test_phone.py", "routing/test_rules.py", "xoxzo/test_client.py", "test_test_tiers.py"} <= modules
    assert set(ALLOWED_IMPORTS) <= modules, "an exception names a module that is not there"


def helpers_of(source: str) -> list[tuple[int, str, Path]]:
    """(line, dotted name, file) of each module of tests/helpers/ that `source` imports."""
    return [
        (line, name, path)
        for line, name in imported_modules(ast.parse(source))
        if name.startswith("tests.helpers.")
        and (path := TESTS.parent.joinpath(*name.split(".")).with_suffix(".py")).is_file()
    ]


def test_modules_of_other_tests_are_never_imported() -> None:
    """A test module imports no other test module, nor a conftest.py: what they share is a fixture
    or a helper (tests/helpers/, or a tier's own helper module such as world.py)."""
    problems = [
        f"{path.relative_to(TESTS.parent)}:{line}: imports {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, name in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if name.startswith("tests.")
        and any(part.startswith("test_") or part == "conftest" for part in name.split(".")[1:])
    ]
    assert problems == []


def test_the_scan_follows_a_unit_test_into_the_helpers_it_imports() -> None:
    found = helpers_of("from tests.helpers.route_items import FALLBACK\nfrom tests.helpers import aws")
    assert [name for _, name, _ in found] == ["tests.helpers.route_items", "tests.helpers.aws"]
    assert io_in((TESTS / "helpers" / "local_stack.py").read_text("utf-8"))  # the e2e tier's helper


@pytest.mark.parametrize("path", unit_modules(), ids=lambda path: path.relative_to(UNIT).as_posix())
def test_unit_tests_do_no_io(path: Path) -> None:
    allowed = ALLOWED_IMPORTS.get(path.relative_to(UNIT).as_posix(), frozenset())
    source = path.read_text(encoding="utf-8")
    problems = io_in(source, allowed)
    for line, name, helper in helpers_of(source):
        problems += [f"{line}: through {name}, {problem}" for problem in io_in(helper.read_text("utf-8"))]
    where = path.relative_to(TESTS.parent)
    assert problems == [], f"{where} does I/O: move it to tests/functional or tests/integration"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("import moto", "1: imports moto"),
        ("from moto import mock_aws", "1: imports moto"),
        ("import boto3.session", "1: imports boto3.session"),
        ("from http import server", "1: imports http.server"),
        ("import http.server as web", "1: imports http.server"),
        ("import requests", "1: imports requests"),
        ("from tools.xoxzo_emulator import XoxzoEmulator", "1: imports tools.xoxzo_emulator"),
        ("from tools import local_server", "1: imports tools.local_server"),
        ("import importlib\nimportlib.import_module('socket')", "2: imports socket"),
        ("__import__('subprocess')", "1: imports subprocess"),
        ("def test_x(tables): pass", "1: uses the fixture tables"),
        ("pytestmark = pytest.mark.usefixtures('mocked_aws')", "1: uses the fixture mocked_aws"),
        ("request.getfixturevalue('xoxzo_emulator')", "1: uses the fixture xoxzo_emulator"),
        ("import pytest\n@pytest.fixture\ndef store(tables): pass", "3: uses the fixture tables"),
    ],
)
def test_the_scan_finds_io(source: str, problem: str) -> None:
    assert problem in io_in(source)


def test_an_exception_allows_only_the_import_it_names() -> None:
    source = "import requests\nimport socket"
    assert io_in(source, frozenset({"requests"})) == ["2: imports socket"]


@pytest.mark.parametrize(
    "source",
    [
        "from xoxzo_din.provisioning.requests import parse_request",  # our module named requests
        "from xoxzo_din.provisioning import requests",
        "import requests_toolbelt",  # a name that only starts like a forbidden one
        "def test_x(world, monkeypatch, tmp_path_factory): pass",
    ],
)
def test_the_scan_lets_other_code_pass(source: str) -> None:
    assert io_in(source) == []


LAYER = Path(__file__).resolve().parents[2] / "layers" / "shared" / "xoxzo_din"


def layer_packages() -> list[Path]:
    return sorted(path.parent for path in LAYER.glob("*/__init__.py"))


def test_every_layer_package_has_its_unit_tests_in_a_folder_named_for_it():
    packages = layer_packages()
    assert len(packages) >= 8
    unit = Path(__file__).resolve().parent
    missing = [p.name for p in packages if not list((unit / p.name).glob("test_*.py"))]
    assert missing == []


def test_no_layer_package_holds_more_than_40_percent_of_the_layers_lines():
    def lines(paths: list[Path]) -> int:
        return sum(len(path.read_text(encoding="utf-8").splitlines()) for path in paths)

    whole = lines(list(LAYER.rglob("*.py")))
    shares = {p.name: lines(list(p.rglob("*.py"))) / whole for p in layer_packages()}
    assert max(shares.values()) <= 0.40, shares


def package_imports() -> dict[str, set[str]]:
    """Which of the layer's packages (or top-level modules) each one imports."""
    graph: dict[str, set[str]] = {}
    for path in LAYER.rglob("*.py"):
        part = path.relative_to(LAYER).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                if name.startswith("xoxzo_din.") and (target := name.split(".")[1]) != part:
                    graph.setdefault(part, set()).add(target)
    return graph


def test_the_layers_packages_import_each_other_without_a_cycle():
    graph = package_imports()
    assert graph["routing"] >= {"tables"}  # the scan found imports
    done: set[str] = set()

    def visit(package: str, path: tuple[str, ...]) -> None:
        assert package not in path, " -> ".join((*path, package))
        if package not in done:
            for imported in graph.get(package, set()):
                visit(imported, (*path, package))
            done.add(package)

    for package in list(graph):
        visit(package, ())
