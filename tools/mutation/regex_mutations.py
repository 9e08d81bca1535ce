"""Mutations of a regular expression's source text, for `make mutation` (docs/reference/mutation-testing.md).

Pure text in, edits out (no parser library), so that the unit tests can check them. A pattern is
read as Python's `re` reads it, well enough for the patterns of the call path: character classes
and their ranges, quantifiers ({m,n}, {m}, ?, *, +), groups and alternatives. Each mutation is one
edit `(start, end, replacement)` of the pattern text:

- a class loses one of its members ([,;] -> [;]); a range is narrowed at either end ([1-9] ->
  [2-9], [1-8]), or widened at its low end when it stays among the digits or letters ([1-9] ->
  [0-9]); a range loses the end that meets a single character beside it, which joins the two into
  one range ([,0-9] -> [,-9], [0-5x] -> [0-x]: one character dropped, a whole span taken in);
- a bound of {m,n} or {m} moves by one either way (keeping m <= n and n >= 1);
- + becomes * or goes, * becomes +, ? goes (the optional part becomes required);
- a group or pattern with alternatives loses one of them (say|voicemail -> voicemail).

Escapes count as one character; "\\uXXXX", "\\UXXXXXXXX" and "\\xXX" are read in either kind of
string literal (in a plain one Python has turned them into the character, which `re` reads alike).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

type Edit = tuple[int, int, str]

_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_SAME_KIND = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True, slots=True)
class _Unit:
    """One character of the pattern (an escape counts as one) at [start, end) of the text."""

    text: str
    start: int
    end: int

    @property
    def code(self) -> int | None:
        """The character's code point, when it is a plain character or a hex escape."""
        if not self.text.startswith("\\"):
            return ord(self.text)
        if self.text[1:2] in _HEX_ESCAPES:
            return int(self.text[2:], 16)
        return None


def _unit_at(pattern: str, index: int) -> _Unit:
    if pattern[index] != "\\" or index + 1 >= len(pattern):
        return _Unit(pattern[index], index, index + 1)
    letter = pattern[index + 1]
    length = 2 + _HEX_ESCAPES.get(letter, 0)
    return _Unit(pattern[index : index + length], index, index + length)


def _escape(code: int) -> str:
    character = chr(code)
    if character.isascii() and character.isalnum():
        return character
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _class_mutations(pattern: str, start: int) -> tuple[list[Edit], int]:
    """The edits of the class opening at `start` ("["), and the index after its "]"."""
    index = start + 1
    if pattern[index : index + 1] == "^":
        index += 1
    members: list[tuple[_Unit, _Unit | None]] = []  # (first, last of a range or None)
    first_member = True
    while index < len(pattern) and (pattern[index] != "]" or first_member):
        first_member = False
        low = _unit_at(pattern, index)
        index = low.end
        if pattern[index : index + 1] == "-" and index + 1 < len(pattern) and pattern[index + 1] != "]":
            high = _unit_at(pattern, index + 1)
            index = high.end
            members.append((low, high))
        else:
            members.append((low, None))
    edits: list[Edit] = []
    if len(members) > 1:
        edits.extend((low.start, (last or low).end, "") for low, last in members)
    edits.extend(_joined_ranges(members))
    for low, last in members:
        if last is None or low.code is None or last.code is None or low.code >= last.code:
            continue
        edits.append((low.start, low.end, _escape(low.code + 1)))
        edits.append((last.start, last.end, _escape(last.code - 1)))
        below = chr(low.code - 1) if low.code > 0 else ""
        if any(below and below in kind and chr(low.code) in kind for kind in _SAME_KIND):
            edits.append((low.start, low.end, _escape(low.code - 1)))
    return edits, index + 1


def _joined_ranges(members: list[tuple[_Unit, _Unit | None]]) -> list[Edit]:
    """A single character next to a range, joined to it by dropping the range's nearer end:
    "x" + "a-b" -> "x-b" and "a-b" + "y" -> "a-y", wherever the new range runs upwards."""
    edits: list[Edit] = []
    for (first, first_high), (second, second_high) in pairwise(members):
        if first_high is None and second_high is not None:  # "x" then "a-b": drop "a"
            low, high, dropped = first, second_high, second
        elif first_high is not None and second_high is None:  # "a-b" then "y": drop "b"
            low, high, dropped = first, second, first_high
        else:
            continue
        if low.code is not None and high.code is not None and low.code < high.code:
            edits.append((dropped.start, dropped.end, ""))
    return edits


def _bound_mutations(pattern: str, start: int) -> tuple[list[Edit], int] | None:
    """The edits of a {m,n} or {m} quantifier at `start`, or None when "{" is a plain brace."""
    close = pattern.find("}", start)
    if close < 0:
        return None
    body = pattern[start + 1 : close]
    low_text, comma, high_text = body.partition(",")
    if not low_text.isdigit() or (comma and high_text and not high_text.isdigit()):
        return None
    low = int(low_text)
    high = int(high_text) if high_text else (None if comma else low)

    def spelled(new_low: int, new_high: int | None) -> str:
        if not comma:
            return f"{{{new_low}}}"
        return f"{{{new_low},{'' if new_high is None else new_high}}}"

    candidates = [(low + 1, high), (low - 1, high)]
    if comma and high is not None:
        candidates += [(low, high + 1), (low, high - 1)]
    if not comma:
        candidates = [(low + 1, None), (low - 1, None)]
    edits = []
    for new_low, new_high in candidates:
        effective_high = new_low if not comma else new_high
        if new_low < 0 or (effective_high is not None and (effective_high < max(new_low, 1))):
            continue
        edits.append((start, close + 1, spelled(new_low, new_high)))
    return edits, close + 1


def regex_mutations(pattern: str) -> list[Edit]:  # noqa: PLR0915  # one pass, one loop
    """Every mutation of `pattern`, in the order of the text (stable while the pattern is)."""
    edits: list[Edit] = []
    # Per open group (and the whole pattern): where its content starts, and its "|" positions.
    groups: list[tuple[int, list[int]]] = [(0, [])]

    def alternatives(content_start: int, bars: list[int], content_end: int) -> None:
        if not bars:
            return
        bounds = [content_start - 1, *bars, content_end]
        for number in range(len(bounds) - 1):
            first, last = bounds[number] + 1, bounds[number + 1]
            if number == len(bounds) - 2:  # the last one goes with the "|" before it
                edits.append((first - 1, last, ""))
            else:
                edits.append((first, last + 1, ""))

    index = 0
    after_atom = False
    while index < len(pattern):
        character = pattern[index]
        if character == "\\":
            index = _unit_at(pattern, index).end
            after_atom = True
        elif character == "[":
            class_edits, index = _class_mutations(pattern, index)
            edits.extend(class_edits)
            after_atom = True
        elif character == "(":
            index += 1
            if pattern.startswith("?P<", index):
                index = pattern.index(">", index) + 1
            elif pattern.startswith("?", index):
                index += 2
            groups.append((index, []))
            after_atom = False
        elif character == ")":
            content_start, bars = groups.pop()
            alternatives(content_start, bars, index)
            index += 1
            after_atom = True
        elif character == "|":
            groups[-1][1].append(index)
            index += 1
            after_atom = False
        elif character == "{" and after_atom and (bound := _bound_mutations(pattern, index)) is not None:
            bound_edits, index = bound
            edits.extend(bound_edits)
            after_atom = False
        elif character in "+*?" and after_atom:
            replacements = {"+": ("*", ""), "*": ("+",), "?": ("",)}[character]
            edits.extend((index, index + 1, replacement) for replacement in replacements)
            index += 1
            after_atom = False
        else:
            index += 1
            after_atom = True
    content_start, bars = groups.pop()
    alternatives(content_start, bars, len(pattern))
    return sorted(edits)
