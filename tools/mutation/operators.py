"""The project's own mutation operators for cosmic-ray, added to its core ones by `make mutation`.

cosmic-ray mutates the whole module (module-level constants included) but has no operator for
string literals, so a regular expression or a keyword list could change unseen. These two fill
that gap (docs/reference/mutation-testing.md):

- `xoxzo/RegexPattern`: the pattern given to `re.compile(...)` is mutated by
  `regex_mutations` (a class member or range end, a bound, a quantifier, an alternative);
- `xoxzo/StringConstant`: any other plain string literal becomes "XX<text>XX" (a keyword of a
  list, a match case, an attribute name, a rendered word). Not mutated: docstrings, f-strings,
  the patterns above, and the message of a `raise` (wording for people, not behaviour).

Runs only in .venv-mutation (cosmic-ray and parso are not in the project's dev environment).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import parso.python.tree
from cosmic_ray.operators.operator import Example, Operator

from tools.mutation.regex_mutations import Edit, regex_mutations

type Position = tuple[tuple[int, int], tuple[int, int]]


def _split_literal(value: str) -> tuple[str, str, str]:
    """(prefix with its opening quote, content, closing quote) of a string literal's source."""
    letters = len(value) - len(value.lstrip("rRbBuU"))
    quote = value[letters : letters + 3] if value[letters : letters + 3] in ('"""', "'''") else value[letters]
    return value[: letters + len(quote)], value[letters + len(quote) : -len(quote)], quote


def _is_plain_string(node: Any) -> bool:
    if not isinstance(node, parso.python.tree.String):
        return False
    letters = node.value[: len(node.value) - len(node.value.lstrip("rRbBuUfF"))]
    return "f" not in letters.lower()


def _regex_literals(node: Any) -> list[Any] | None:
    """The string leaves of the pattern when `node` is part of the first argument of re.compile."""
    group = node.parent if node.parent is not None and node.parent.type == "strings" else node
    parent = group.parent
    if parent is not None and parent.type == "arglist":
        if parent.children[0] is not group:
            return None
        parent = parent.parent
    if parent is None or parent.type != "trailer" or parent.children[0].value != "(":
        return None
    call = parent.parent
    if call is None or call.type not in ("atom_expr", "power"):
        return None
    position = call.children.index(parent)
    names = [child.get_code().strip() for child in call.children[:position]]
    if names != ["re", ".compile"]:
        return None
    return list(group.children) if group.type == "strings" else [group]


def _in_raise(node: Any) -> bool:
    ancestor = node.parent
    while ancestor is not None and ancestor.type not in ("funcdef", "classdef", "file_input"):
        if ancestor.type == "raise_stmt":
            return True
        ancestor = ancestor.parent
    return False


def _is_docstring(node: Any) -> bool:
    group = node.parent if node.parent is not None and node.parent.type == "strings" else node
    return (
        group.parent is not None and group.parent.type == "simple_stmt" and group.parent.children[0] is group
    )


def _regex_edits(node: Any) -> list[Edit]:
    """The pattern's edits that fall inside this leaf, in the leaf's own content coordinates."""
    leaves = _regex_literals(node)
    if leaves is None:
        return []
    contents = [_split_literal(leaf.value)[1] for leaf in leaves if _is_plain_string(leaf)]
    if len(contents) != len(leaves):
        return []
    offset = sum(len(content) for content in contents[: leaves.index(node)])
    mine = contents[leaves.index(node)]
    return [
        (start - offset, end - offset, replacement)
        for start, end, replacement in regex_mutations("".join(contents))
        if offset <= start and end <= offset + len(mine)
    ]


class RegexPattern(Operator):  # type: ignore[misc]
    """Mutates a pattern compiled with re.compile."""

    def mutation_positions(self, node: Any) -> Iterator[Position]:
        if _is_plain_string(node):
            for _ in _regex_edits(node):
                yield (node.start_pos, node.end_pos)

    def mutate(self, node: Any, index: int) -> Any:
        start, end, replacement = _regex_edits(node)[index]
        opening, content, closing = _split_literal(node.value)
        value = opening + content[:start] + replacement + content[end:] + closing
        return parso.python.tree.String(value, node.start_pos, prefix=node.prefix)

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example('re.compile(r"[1-9]")', 're.compile(r"[0-9]")'),)


class StringConstant(Operator):  # type: ignore[misc]
    """Replaces a plain string literal "text" with "XXtextXX"."""

    def mutation_positions(self, node: Any) -> Iterator[Position]:
        if (
            _is_plain_string(node)
            and _regex_literals(node) is None
            and not _is_docstring(node)
            and not _in_raise(node)
        ):
            yield (node.start_pos, node.end_pos)

    def mutate(self, node: Any, index: int) -> Any:
        opening, content, closing = _split_literal(node.value)
        value = f"{opening}XX{content}XX{closing}"
        return parso.python.tree.String(value, node.start_pos, prefix=node.prefix)

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example('x = "on"', 'x = "XXonXX"'),)


class OperatorProvider:
    """cosmic-ray's operator-provider protocol: iterable of names, indexable by name."""

    _OPERATORS: dict[str, type[Operator]] = {  # noqa: RUF012
        "RegexPattern": RegexPattern,
        "StringConstant": StringConstant,
    }

    def __iter__(self) -> Iterator[str]:
        return iter(self._OPERATORS)

    def __getitem__(self, name: str) -> type[Operator]:
        return self._OPERATORS[name]
