"""How the benchmarks measure in fresh interpreters: a worker is this repository's module run with
`python -m` (or, isolated from this environment, a script run with `python -I -S`), which prints
its result as the last line of its stderr, in JSON (its stdout, handler logs included, is
dropped; a failing worker's stderr is shown)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent


def run_worker(module: str, arguments: list[str], environment: dict[str, str]) -> Any:
    return _run([sys.executable, "-m", module, *arguments], environment)


def run_isolated(script: Path, arguments: list[str], environment: dict[str, str]) -> Any:
    """`script` in an interpreter that sees neither this environment's packages nor PYTHONPATH."""
    return _run([sys.executable, "-I", "-S", str(script), *arguments], environment)


def _run(command: list[str], environment: dict[str, str]) -> Any:
    completed = subprocess.run(
        command,
        cwd=REPOSITORY,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if completed.returncode != 0:  # its traceback, not just its exit status
        sys.exit(f"{' '.join(command[1:])} failed ({completed.returncode}):\n{completed.stderr}")
    return json.loads(completed.stderr.strip().splitlines()[-1])
