"""The figures of `make mutation`, per call-path module, and whether they pass.

Reads the results of tools/mutation/run.py (.mutation/results/) and the equivalent mutants listed,
each with its reason, in tests/mutation/equivalent.toml. A mutant is named there by its module,
operator, the line's text and the mutated line's text, so an edit elsewhere in the module does not
change its name. Score = killed / (generated - equivalent). Exits non-zero when a module scores under
95%, when a mutant survives that is not listed, or when a listed one is no longer a surviving
mutant (the list is kept exact).

    python -m tools.mutation.report
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tools.mutation.run import MODULES, WORK

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENT = ROOT / "tests" / "mutation" / "equivalent.toml"
THRESHOLD = 0.95

type Key = tuple[str, str, str, str]


def key(module: str, mutant: dict[str, Any]) -> Key:
    return (module, mutant["operator"], mutant["line"], mutant["mutant"])


def load_equivalent(path: Path = EQUIVALENT) -> dict[Key, str]:
    listed: dict[Key, str] = {}
    for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("equivalent", []):
        if not str(entry.get("reason", "")).strip():
            sys.exit(f"{path.name}: every equivalent mutant needs a reason: {entry}")
        listed[(entry["module"], entry["operator"], entry["line"], entry["mutant"])] = entry["reason"]
    return listed


def toml_entry(item: Key) -> str:
    module, operator, line, mutant = item
    return (
        f"\n[[equivalent]]\nmodule = {json.dumps(module, ensure_ascii=False)}\n"
        f"operator = {json.dumps(operator)}\nline = {json.dumps(line, ensure_ascii=False)}\n"
        f'mutant = {json.dumps(mutant, ensure_ascii=False)}\nreason = ""\n'
    )


def summarize(modules: Iterable[str], listed: dict[Key, str]) -> int:
    failures: list[str] = []
    seen: set[Key] = set()
    total_seconds = 0.0
    print(f"{'module':<26}{'generated':>10}{'killed':>8}{'survived':>10}{'equivalent':>12}{'score':>9}")
    for module in modules:
        path = WORK / "results" / (module.replace("/", ".").removesuffix(".py") + ".json")
        if not path.exists():
            failures.append(f"{module}: no results (run python -m tools.mutation.run first)")
            continue
        results = json.loads(path.read_text(encoding="utf-8"))
        total_seconds += results["seconds"]
        mutants = results["mutants"]
        killed = [mutant for mutant in mutants if mutant["outcome"] == "killed"]
        survived = [mutant for mutant in mutants if mutant["outcome"] != "killed"]
        equivalent = [mutant for mutant in survived if key(module, mutant) in listed]
        seen.update(key(module, mutant) for mutant in mutants if key(module, mutant) in listed)
        for mutant in killed:
            if key(module, mutant) in listed:
                failures.append(f"{module}: listed as equivalent but killed: {mutant['mutant']!r}")
        for mutant in survived:
            if key(module, mutant) not in listed:
                failures.append(
                    f"{module}:{mutant['at']} {mutant['operator']} {mutant['outcome']}: "
                    f"{mutant['line']!r} -> {mutant['mutant']!r}" + toml_entry(key(module, mutant))
                )
        considered = len(mutants) - len(equivalent)
        score = len(killed) / considered if considered else 1.0
        print(
            f"{module:<26}{len(mutants):>10}{len(killed):>8}{len(survived) - len(equivalent):>10}"
            f"{len(equivalent):>12}{score:>9.1%}"
        )
        if score < THRESHOLD:
            failures.append(
                f"{module}: {score:.1%} of its non-equivalent mutants killed, under {THRESHOLD:.0%}"
            )
    for stale in sorted(set(listed) - seen):
        if stale[0] in modules:
            failures.append(f"{stale[0]}: listed as equivalent but no such mutant: {stale[3]!r}")
    print(f"(test runs took {total_seconds:.0f} s in all)")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


def main() -> int:
    return summarize(MODULES, load_equivalent())


if __name__ == "__main__":
    sys.exit(main())
