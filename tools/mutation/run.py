"""`make mutation`: mutate each call-path module with cosmic-ray and run the fast unit tests on it.

Runs in .venv-mutation (cosmic-ray's dependencies are not the SAM CLI's). The mutants are made by
cosmic-ray's core operators plus the project's two (tools/mutation/operators.py), one at a time,
each in a copy of the code under .mutation/ (the working tree is never mutated); one copy per job,
so that the jobs (one per core by default) never see each other's mutants. Each module's results
go to .mutation/results/<module>.json; tools/mutation/report.py reads them
(docs/reference/mutation-testing.md).

    python -m tools.mutation.run [--jobs N] [--module routing/actions.py ...]
"""

from __future__ import annotations

import argparse
import ast
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import cosmic_ray.plugins
from cosmic_ray.ast import ast_nodes, get_ast_from_path
from cosmic_ray.mutating import mutate_and_test
from cosmic_ray.work_item import MutationSpec, TestOutcome, WorkerOutcome

from tools.mutation.operators import OperatorProvider

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".mutation"
PACKAGE = Path("layers/shared/xoxzo_din")
# The call path: what answers a call, from the secret check to the action line.
MODULES = (
    "routing/actions.py",
    "phone.py",
    "routing/rules.py",
    "routing/rule_parsing.py",
    "routing/router.py",
    "access.py",
)
# The pure, fast unit tests of those modules. The property tests (test_properties.py) are left out:
# they take seconds per run, and every mutant they would kill the example tests kill too.
TESTS = ("tests/unit/routing", "tests/unit/test_phone.py", "tests/unit/test_access.py")
IGNORED_TESTS = ("tests/unit/routing/test_properties.py",)
# Read by those tests (test_attributes.py checks every route attribute is documented).
READ_BY_TESTS = ("docs/reference/route-items.md",)
TEST_COMMAND = f"{sys.executable} -m pytest -x -q -p no:cacheprovider " + " ".join(
    [*TESTS, *(f"--ignore={path}" for path in IGNORED_TESTS)]
)
TIMEOUT_SECONDS = 30.0
PYTEST_INI = "[pytest]\npythonpath = layers/shared\naddopts = --strict-markers\n"

cosmic_ray.plugins.OPERATOR_PROVIDERS["xoxzo"] = OperatorProvider()


def operator_names() -> list[str]:
    """Every operator that takes no arguments (cosmic-ray's Variable* ones need a variable name)."""
    return [
        name
        for name in cosmic_ray.plugins.operator_names()
        if not cosmic_ray.plugins.get_operator(name).arguments()
    ]


def prepare_copy(target: Path) -> None:
    """A fresh copy of the layer's package and the tests the mutants are run against."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / PACKAGE, target / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    for init in ("tests/__init__.py", "tests/unit/__init__.py"):
        (target / init).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / init, target / init)
    for path in (*TESTS, *READ_BY_TESTS):
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / path).is_dir():
            shutil.copytree(ROOT / path, target / path, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / path, target / path)
    (target / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")


type Span = tuple[tuple[int, int], tuple[int, int]]


def never_evaluated(source: str) -> list[Span]:
    """Where a change is never run: annotations (the modules use `from __future__ import
    annotations`, so they stay strings) and the values of `type X = ...` aliases (evaluated lazily,
    never read at run time). As ((line, column), (line, column)) in characters, like parso's."""
    lines = source.splitlines()

    def column(line: int, offset: int) -> int:
        return len(lines[line - 1].encode("utf-8")[:offset].decode("utf-8"))

    spans: list[Span] = []
    for node in ast.walk(ast.parse(source)):
        parts: list[ast.expr | None] = []
        if isinstance(node, ast.arg):
            parts.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            parts.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            parts.append(node.annotation)
        elif isinstance(node, ast.TypeAlias):
            parts.append(node.value)
        spans.extend(
            (
                (part.lineno, column(part.lineno, part.col_offset)),
                (
                    part.end_lineno or part.lineno,
                    column(part.end_lineno or part.lineno, part.end_col_offset or 0),
                ),
            )
            for part in parts
            if part is not None
        )
    return spans


def _marker(node: Any) -> bool:
    """A bare `*` or `/` in a parameter list: a keyword-only or positional-only marker, which
    cosmic-ray takes for a multiplication or a division (its "mutant" only changes the signature)."""
    return (
        node.type == "operator"
        and node.value in ("*", "/")
        and node.parent is not None
        and node.parent.type in ("parameters", "typedargslist", "varargslist", "lambdef")
    )


def mutations(module: str) -> list[MutationSpec]:
    """All of a module's mutants, as cosmic-ray's `init` lists them (run in a copy's folder), less
    those in code that never runs (`never_evaluated`). The occurrence numbers stay cosmic-ray's."""
    path = PACKAGE / module
    tree = get_ast_from_path(path)
    skipped = never_evaluated(path.read_text(encoding="utf-8"))
    specs: list[MutationSpec] = []
    for name in operator_names():
        operator = cosmic_ray.plugins.get_operator(name)()
        positions = (
            (start, end, node) for node in ast_nodes(tree) for start, end in operator.mutation_positions(node)
        )
        specs.extend(
            MutationSpec(
                module_path=str(path),
                operator_name=name,
                operator_args={},
                occurrence=occurrence,
                start_pos=start,
                end_pos=end,
            )
            for occurrence, (start, end, node) in enumerate(positions)
            if not any(first <= start and end <= last for first, last in skipped) and not _marker(node)
        )
    return specs


def _diff_lines(diff: str) -> tuple[str, str]:
    """(original, mutated) text of the changed lines, each stripped, joined by " / "."""
    lines = diff.splitlines()
    removed = [line[1:].strip() for line in lines if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(removed), " / ".join(added)


def _start_worker(folders: multiprocessing.Queue[Path]) -> None:
    os.chdir(folders.get())


def _run_one(spec: MutationSpec) -> dict[str, Any]:
    result = mutate_and_test(mutations=[spec], test_command=TEST_COMMAND, timeout=TIMEOUT_SECONDS)
    if result.worker_outcome == WorkerOutcome.NO_TEST:
        outcome = "no mutation"
    elif result.worker_outcome != WorkerOutcome.NORMAL:
        outcome = f"error: {result.output.strip().splitlines()[-1] if result.output else '?'}"
    elif result.test_outcome == TestOutcome.SURVIVED:
        outcome = "survived"
    elif result.test_outcome == TestOutcome.KILLED:
        outcome = "killed"
    else:
        outcome = "incompetent"
    line, mutant = _diff_lines(result.diff or "")
    return {
        "operator": spec.operator_name,
        "occurrence": spec.occurrence,
        "at": f"{spec.start_pos[0]}:{spec.start_pos[1]}",
        "line": line,
        "mutant": mutant,
        "outcome": outcome,
    }


def baseline(folder: Path) -> None:
    completed = subprocess.run(  # our own command line, no shell
        TEST_COMMAND.split(), cwd=folder, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        sys.exit(f"the unmutated tests fail in {folder.relative_to(ROOT)}:\n{completed.stdout[-3000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--module", action="append", choices=MODULES, help="only these (default: all)")
    arguments = parser.parse_args(argv)
    modules = arguments.module or list(MODULES)
    folders = [WORK / f"copy-{index}" for index in range(max(1, arguments.jobs))]
    for folder in folders:
        prepare_copy(folder)
    baseline(folders[0])
    (WORK / "results").mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[Path] = context.Queue()
    for folder in folders:
        queue.put(folder)
    started = time.monotonic()
    with context.Pool(len(folders), initializer=_start_worker, initargs=(queue,)) as pool:
        for module in modules:
            os.chdir(folders[0])
            specs = mutations(module)
            os.chdir(ROOT)
            module_started = time.monotonic()
            results = pool.map(_run_one, specs, chunksize=1)
            elapsed = time.monotonic() - module_started
            killed = sum(result["outcome"] == "killed" for result in results)
            print(f"{module}: {len(results)} mutants, {killed} killed, {elapsed:.0f} s", flush=True)
            report = {"module": module, "seconds": round(elapsed, 1), "mutants": results}
            name = module.replace("/", ".").removesuffix(".py") + ".json"
            (WORK / "results" / name).write_text(json.dumps(report, indent=1, ensure_ascii=False), "utf-8")
    print(f"mutation run: {time.monotonic() - started:.0f} s with {len(folders)} jobs", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
