"""The documentation: a short README and docs/ split by kind (how-to, reference, explanation,
decisions). Every relative link resolves (anchors included, as GitHub renders them), the README
stays short and leads a newcomer to the four pages they need, and no file names a path of
somebody's machine."""

from __future__ import annotations

import ast
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.template_tables import function_environment, load_template

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 160

# The pages code docstrings point at: renaming one breaks those references.
EXPECTED_PAGES = frozenset(
    {
        "docs/README.md",
        "docs/decisions.md",
        "docs/how-to/run-locally.md",
        "docs/how-to/deploy.md",
        "docs/how-to/deploy-runbook.md",
        "docs/how-to/rotate-the-secret.md",
        "docs/how-to/xoxzo-credentials.md",
        "docs/how-to/provision-numbers.md",
        "docs/how-to/sam-local-invoke.md",
        "docs/how-to/troubleshoot.md",
        "docs/how-to/develop.md",
        "docs/how-to/see-what-callers-hear.md",
        "docs/reference/route-items.md",
        "docs/reference/provisioning-operations.md",
        "docs/reference/numbers-table.md",
        "docs/reference/parameters.md",
        "docs/reference/metrics.md",
        "docs/reference/xoxzo-din-api.md",
        "docs/reference/operator-tool.md",
        "docs/reference/security-scans.md",
        "docs/reference/mutation-testing.md",
        "docs/reference/deploy-rules.md",
        "docs/explanation/call-routing.md",
        "docs/explanation/write-order-and-sync.md",
        "docs/explanation/deploy-time-repointing.md",
        "docs/explanation/performance.md",
        "docs/explanation/cold-starts.md",
    }
)
# What a newcomer reading only the README must reach in one click.
NEWCOMER_PAGES = (
    "docs/how-to/run-locally.md",
    "docs/how-to/deploy.md",
    "docs/reference/route-items.md",
    "docs/how-to/troubleshoot.md",
    "docs/README.md",
)

# A path of a particular machine: an absolute home, root or workspace directory, or the sibling
# folder outside the repository that notes were once read from. Written in pieces so that this file
# does not match itself.
_PARENT = ".."
MACHINE_PATH = re.compile(
    r"(?<![\w.:/~-])/(?:work|root|home|Users|mnt|private)/|(?<![\w])[A-Z]:\\[A-Za-z]"
    + "|"
    + re.escape(_PARENT + "/shared/"),
)
# Directories never scanned when git cannot list the files.
_NOT_SOURCES = {".git", ".venv", ".aws-sam", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis"}

_FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1", re.DOTALL)
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


# --- Helpers (pure) ----------------------------------------------------------------------------------


def without_code(markdown: str) -> str:
    """The text outside fenced code blocks and inline code spans (where links and headings live)."""
    return _INLINE_CODE.sub("", _FENCE.sub("", markdown))


def link_targets(markdown: str) -> list[str]:
    text = without_code(markdown)
    return _INLINE_LINK.findall(text) + _REFERENCE_LINK.findall(text)


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: markup dropped, lower case, punctuation removed (letters,
    digits, `_` and `-` kept, in any script), spaces turned into hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every heading's anchor, with GitHub's -1, -2... suffixes for repeated headings."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for _, title in _HEADING.findall(_FENCE.sub("", markdown)):
        slug = github_slug(title)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def broken_links(page: Path, markdown: str, root: Path = ROOT) -> list[str]:
    """The relative links of `page` that do not resolve to a file (or folder) of the repository,
    or to a heading of the Markdown file they name."""
    problems: list[str] = []
    for target in link_targets(markdown):
        if _SCHEME.match(target):
            continue  # http(s), mailto: not ours to check here
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page.resolve()
        if resolved != root and root not in resolved.parents:
            problems.append(f"{target}: outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md":
            text = markdown if resolved == page.resolve() else resolved.read_text(encoding="utf-8")
            if anchor not in anchors(text):
                problems.append(f"{target}: no heading with the anchor #{anchor}")
    return problems


def machine_paths(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if MACHINE_PATH.search(line)]


def markdown_pages() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def repository_files() -> Iterator[Path]:
    """Every file git tracks, plus the untracked files under docs/ (not committed yet)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached"],  # noqa: S607 - git from PATH, fixed arguments
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        untracked_docs = subprocess.run(
            ["git", "ls-files", "-z", "--others", "--exclude-standard", "--", "docs"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):  # no git, or not a checkout: walk the tree
        for path in ROOT.rglob("*"):
            if path.is_file() and not _NOT_SOURCES.intersection(path.relative_to(ROOT).parts):
                yield path
        return
    names = {name for name in (listed + untracked_docs).decode().split("\0") if name}
    for name in sorted(names):
        path = ROOT / name
        if path.is_file():  # a tracked file deleted in the working tree is not there to read
            yield path


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def section(markdown: str, heading: str) -> str:
    """The text under `heading` (a whole heading line), up to the next heading of any level."""
    start = markdown.index(f"\n{heading}\n") + len(heading) + 2
    following = _HEADING.search(markdown, start)
    return markdown[start : following.start() if following else None]


def first_column(table_text: str) -> list[str]:
    """The `code` names in the first column of the Markdown table rows of `table_text`."""
    return re.findall(r"^\| `(\w+)` \|", table_text, flags=re.MULTILINE)


def metric_names(source: str) -> set[str]:
    """The metric names a handler can emit: literal names given to `add_metric` (including inside
    a conditional), and the CamelCase keys and values of its module-level metric tables."""
    camel = re.compile(r"[A-Z][A-Za-z]+")
    names: set[str] = set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "add_metric":
            for keyword in node.keywords:
                if keyword.arg == "name":
                    names.update(
                        constant.value
                        for constant in ast.walk(keyword.value)
                        if isinstance(constant, ast.Constant) and isinstance(constant.value, str)
                    )
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and "metric" in target.id.lower() and isinstance(value, ast.Dict):
            names.update(
                constant.value
                for constant in [*value.keys, *value.values]
                if isinstance(constant, ast.Constant) and isinstance(constant.value, str)
            )
    return {name for name in names if camel.fullmatch(name)}


# --- The helpers can fail ------------------------------------------------------------------------------


def test_slugs_are_githubs() -> None:
    assert github_slug("Keys and number formats") == "keys-and-number-formats"
    assert github_slug("What `make local` starts") == "what-make-local-starts"
    assert github_slug("Run the functions with `sam local invoke` (needs Docker)") == (
        "run-the-functions-with-sam-local-invoke-needs-docker"
    )
    assert github_slug("One `Query` of one partition per call, no PartiQL") == (
        "one-query-of-one-partition-per-call-no-partiql"
    )
    assert github_slug("Keys: numbers are E.164 with a `+`") == "keys-numbers-are-e164-with-a-"
    assert anchors("# A\n## A\n```sh\n# not a heading\n```\n") == {"a", "a-1"}


def test_broken_links_are_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Present heading\n", encoding="utf-8")
    page = tmp_path / "page.md"
    markdown = (
        "# Here\n[ok](other.md) [ok](other.md#present-heading) [ok](#here) [web](https://example.com/x)\n"
        "[gone](missing.md) [bad anchor](other.md#absent) [bad local](#nowhere)\n"
        "`[in code](missing-too.md)`\n```\n[in a fence](missing-three.md)\n```\n"
    )
    page.write_text(markdown, encoding="utf-8")

    assert broken_links(page, markdown, root=tmp_path) == [
        "missing.md: no such file",
        "other.md#absent: no heading with the anchor #absent",
        "#nowhere: no heading with the anchor #nowhere",
    ]
    outside = broken_links(page, "[up](../outside.md)", root=tmp_path)
    assert outside == ["../outside.md: outside the repository"]


@pytest.mark.parametrize(
    "line",
    [
        "follows /" + "work/shared/notes.md",
        "(see " + _PARENT + "/shared/notes.md)",
        "cd /" + "root/project",
        "`/" + "home/someone/repo`",
        "open /" + "Users/someone/project",
        "C:" + "\\Users\\someone",
    ],
)
def test_machine_paths_are_found(line: str) -> None:
    assert machine_paths(f"text\n{line}\n") == [line]


@pytest.mark.parametrize(
    "line",
    ["layers/shared/xoxzo_din/", "https://example.com/home/", "/opt/python", "docs/how-to/run-locally.md"],
)
def test_ordinary_paths_are_not_machine_paths(line: str) -> None:
    assert machine_paths(line) == []


# --- The documentation ---------------------------------------------------------------------------------


def test_the_docs_pages_are_exactly_the_expected_ones() -> None:
    assert {relative(page) for page in DOCS.rglob("*.md")} == EXPECTED_PAGES


def test_the_index_lists_every_page() -> None:
    index = DOCS / "README.md"
    linked = {
        relative((index.parent / target.partition("#")[0]).resolve())
        for target in link_targets(index.read_text(encoding="utf-8"))
        if not _SCHEME.match(target) and target.partition("#")[0]
    }
    assert EXPECTED_PAGES - {"docs/README.md"} <= linked


@pytest.mark.parametrize("page", markdown_pages(), ids=relative)
def test_every_relative_link_resolves(page: Path) -> None:
    markdown = page.read_text(encoding="utf-8")

    assert link_targets(markdown), "a page without a single link is cut off from the others"
    assert broken_links(page, markdown) == []


def test_the_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert 0 < lines <= MAX_README_LINES


def test_the_readme_leads_a_newcomer_to_the_four_pages_and_the_index() -> None:
    linked = {
        relative((README.parent / target.partition("#")[0]).resolve())
        for target in link_targets(README.read_text(encoding="utf-8"))
        if not _SCHEME.match(target) and target.partition("#")[0]
    }
    assert set(NEWCOMER_PAGES) <= linked


@pytest.mark.parametrize(
    ("function", "handler"),
    [
        ("ActionFunction", "functions/action/action_handler.py"),
        ("ProvisioningFunction", "functions/provisioning/provisioning_handler.py"),
        ("RouteChangesFunction", "functions/route_changes/route_changes_handler.py"),
        ("CanaryFunction", "functions/canary/canary_handler.py"),
    ],
)
def test_every_metric_is_documented_once(function: str, handler: str) -> None:
    page = (DOCS / "reference" / "metrics.md").read_text(encoding="utf-8")
    documented = first_column(section(page, f"## {function}"))
    emitted = metric_names((ROOT / handler).read_text(encoding="utf-8"))

    assert len(emitted) >= 2  # the scan found the handler's metrics
    assert len(documented) == len(set(documented)), "a metric listed twice"
    assert set(documented) == emitted
    others = {"ActionFunction", "ProvisioningFunction", "RouteChangesFunction", "CanaryFunction"} - {function}
    assert not set(documented) & set(first_column(section(page, f"## {others.pop()}")))


@pytest.mark.parametrize(
    "function", ["ActionFunction", "ProvisioningFunction", "RouteChangesFunction", "CanaryFunction"]
)
def test_the_environment_variables_documented_are_the_ones_declared(function: str) -> None:
    page = (DOCS / "reference" / "parameters.md").read_text(encoding="utf-8")
    documented = first_column(section(page, f"### {function}"))

    assert len(documented) == len(set(documented))
    assert set(documented) == set(function_environment(function))


def test_the_template_parameters_documented_are_the_ones_declared() -> None:
    page = (DOCS / "reference" / "parameters.md").read_text(encoding="utf-8")
    documented = first_column(section(page, "## Template parameters"))

    assert len(documented) == len(set(documented))
    assert set(documented) == set(load_template()["Parameters"])


def test_no_file_names_a_path_of_somebodys_machine() -> None:
    found: dict[str, list[str]] = {}
    scanned = 0
    for path in repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary
        scanned += 1
        if lines := machine_paths(text):
            found[relative(path)] = lines

    assert scanned > len(EXPECTED_PAGES)  # it did look at the repository
    assert found == {}


def test_every_alarm_is_documented_once() -> None:
    page = (DOCS / "reference" / "metrics.md").read_text(encoding="utf-8")
    documented = first_column(section(page, "## Alarms"))
    monitoring = load_template(ROOT / "monitoring" / "template.yaml")["Resources"]
    alarms = {name for name, r in monitoring.items() if r["Type"] == "AWS::CloudWatch::Alarm"}

    assert len(documented) == len(set(documented)), "an alarm listed twice"
    assert set(documented) == alarms


# A docs page named in a template or in code: "docs/<folder>/<page>.md", maybe with "#anchor";
# a test module: "tests/<folder>/<module>.py".
_CITED_PAGE = re.compile(r"\bdocs/(?:[\w-]+/)*[\w-]+\.md(?:#[\w-]+)?")
_CITED_TEST = re.compile(r"\btests/(?:\w+/)*\w+\.py\b")


def code_sources() -> list[Path]:
    """The templates, the Makefile and every Python file we wrote (a kept old template aside)."""
    sources = [ROOT / "template.yaml", ROOT / "monitoring" / "template.yaml", ROOT / "Makefile"]
    for folder in ("layers", "functions", "cli", "tools", "benchmarks", "tests"):
        sources += sorted(path for path in (ROOT / folder).rglob("*.py") if ".aws-sam" not in path.parts)
    return sources


def cited(pattern: re.Pattern[str], sources: list[Path]) -> dict[str, set[str]]:
    """Each match of `pattern` in `sources`, and where."""
    found: dict[str, set[str]] = {}
    for source in sources:
        for target in pattern.findall(source.read_text(encoding="utf-8")):
            found.setdefault(target, set()).add(relative(source))
    return found


def cited_pages() -> dict[str, set[str]]:
    """Each docs page (with its anchor) cited by the templates and the code, and where."""
    return cited(_CITED_PAGE, code_sources())


def test_every_test_module_cited_by_the_code_or_the_docs_exists() -> None:
    found = cited(_CITED_TEST, code_sources() + markdown_pages())
    assert found  # the scan found citations
    assert {target: sorted(where) for target, where in found.items() if not (ROOT / target).is_file()} == {}


def test_every_docs_page_cited_by_a_template_or_the_code_exists() -> None:
    cited = cited_pages()
    assert "docs/reference/route-items.md" in cited  # the scan found citations
    missing = {}
    for target, sources in cited.items():
        path, _, anchor = target.partition("#")
        exists = (ROOT / path).is_file()
        if not exists or (anchor and anchor not in anchors((ROOT / path).read_text(encoding="utf-8"))):
            missing[target] = sorted(sources)
    assert missing == {}


def test_the_readme_diagram_shows_every_function_and_table_of_the_stack() -> None:
    diagram = _FENCE.search(README.read_text(encoding="utf-8"))
    assert diagram is not None
    resources = load_template()["Resources"]
    shown = {
        name
        for name, resource in resources.items()
        if resource["Type"] in {"AWS::Serverless::Function", "AWS::DynamoDB::Table"}
    }
    assert len(shown) == 7 and all(name in diagram.group(0) for name in shown)


# A layout block's line: its module and folder names come before the first run of 2+ spaces.
_LAYOUT_NAME = re.compile(r"\b(\w+(?:\.py|/))")


def layout_modules(block: str) -> set[str]:
    """The paths a layout block of develop.md names ("routing/rules.py", "phone.py")."""
    named: set[str] = set()
    folder = ""
    for line in block.splitlines():
        indented = line.startswith("  ")
        names = _LAYOUT_NAME.findall(re.split(r"\s{2,}", line.strip(), maxsplit=1)[0])
        for name in names:
            if name.endswith("/"):
                folder = name
            else:
                named.add(folder + name if indented else name)
        if not indented and not any(n.endswith("/") for n in names):
            folder = ""
    return named


@pytest.mark.parametrize(
    ("first_line", "package"),
    [("phone.py, access.py", "layers/shared/xoxzo_din"), ("main.py", "cli/xoxzo_din_cli")],
)
def test_the_layout_in_develop_names_every_module_of_the_tree(first_line: str, package: str) -> None:
    page = (DOCS / "how-to" / "develop.md").read_text(encoding="utf-8")
    blocks = [
        b.group(0) for b in _FENCE.finditer(page) if b.group(0).split("\n", 1)[1].startswith(first_line)
    ]
    assert len(blocks) == 1, first_line
    root = ROOT / package
    modules = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name not in {"__init__.py", "__main__.py"}
    }
    assert layout_modules(blocks[0]) == modules


def test_no_page_speaks_of_the_stack_as_two_functions() -> None:
    """The stack has four: action, provisioning, route changes and canary."""
    assert [
        relative(page) for page in markdown_pages() if "both functions" in page.read_text(encoding="utf-8")
    ] == []
