"""The one way the functions read their settings from the environment. Each settings module names
its own variables (template.yaml declares each; docs/reference/parameters.md explains them) and
reads them through an Environment, which keeps what was wrong as data (`problems`) and answers the
default instead: a function must start whatever its configuration."""

from __future__ import annotations

import math
from collections.abc import Mapping


class Environment:
    def __init__(self, variables: Mapping[str, str]) -> None:
        self._variables = variables
        self.problems: list[str] = []

    def text(self, name: str, default: str = "") -> str:
        """The variable's value without surrounding blanks; `default` when it is unset or blank."""
        return self._variables.get(name, "").strip() or default

    def optional(self, name: str) -> str | None:
        """The value, or None when it is unset or blank."""
        return self.text(name) or None

    def required(self, name: str, without_it: str) -> str:
        """The value; a problem saying what happens `without_it` when it is unset or blank."""
        value = self.text(name)
        if not value:
            self.problems.append(f"{name} is not set: {without_it}")
        return value

    def number(
        self, name: str, default: float, *, minimum: float, maximum: float = math.inf, whole: bool = False
    ) -> float:
        """The value as a number within [minimum, maximum] (a whole one if `whole`); `default`, and a
        problem, when it is not one."""
        raw = self.text(name)
        if not raw:
            return default
        try:
            value = int(raw) if whole else float(raw)
        except ValueError:
            kind = "a whole number" if whole else "a number"
            self.problems.append(f"{name} {raw!r} is not {kind}, using {default:g}")
            return default
        if not minimum <= value <= maximum:  # NaN is in no range
            self.problems.append(f"{name} {value:g} out of {minimum:g}..{maximum:g}, using {default:g}")
            return default
        return value
