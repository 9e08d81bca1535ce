"""The regular-expression mutations of `make mutation` (tools/mutation/regex_mutations.py): pure text."""

from __future__ import annotations

import re

import pytest

from tools.mutation.regex_mutations import regex_mutations


def mutants(pattern: str) -> list[str]:
    return [
        pattern[:start] + replacement + pattern[end:] for start, end, replacement in regex_mutations(pattern)
    ]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[,;]", ["[;]", "[,]"]),  # a class loses one member
        ("[1-9]", ["[0-9]", "[2-9]", "[1-8]"]),  # a range narrowed at either end, or widened
        ("[0-9]", ["[1-9]", "[0-8]"]),  # not widened out of the digits
        ("[A-Z]", ["[B-Z]", "[A-Y]"]),
        ("[a-z]", ["[b-z]", "[a-y]"]),
        (r"[\x00-\x1f]", [r"[\u0001-\x1f]", r"[\x00-\u001e]"]),  # hex escapes are one character
        ("[,0-9]", ["[0-9]", "[,]", "[,1-9]", "[,0-8]", "[,-9]"]),  # "," joins the range: [,-9]
        ("[0-5x]", ["[x]", "[0-5]", "[1-5x]", "[0-4x]", "[0-x]"]),  # the range takes in "x": [0-x]
        ("[z0-9]", ["[0-9]", "[z]", "[z1-9]", "[z0-8]"]),  # z-9 would run downwards: no join
        ("[0-9a-z]", ["[a-z]", "[0-9]", "[1-9a-z]", "[0-8a-z]", "[0-9b-z]", "[0-9a-y]"]),  # two ranges
        (r"[\d0-9]", [r"[0-9]", r"[\d]", r"[\d1-9]", r"[\d0-8]"]),  # \d is no one character
        ("a+", ["a", "a*"]),
        ("b*", ["b+"]),
        ("c?", ["c"]),
        (r"\d{1,3}", [r"\d{0,3}", r"\d{1,2}", r"\d{1,4}", r"\d{2,3}"]),
        (r"\d{2}", [r"\d{1}", r"\d{3}"]),
        ("a{1}", ["a{2}"]),  # never a bound of zero repetitions
        ("a{1,1}", ["a{0,1}", "a{1,2}"]),  # never m > n
        ("say|voicemail", ["voicemail", "say"]),  # an alternative goes
        ("(?:a|b)c", ["(?:b)c", "(?:a)c"]),
        ("(?P<verb>a|b)", ["(?P<verb>b)", "(?P<verb>a)"]),
        (r"\+", []),  # an escaped quantifier is a plain character
        ("x{", []),  # so is a brace that opens no bound
        ("{2}", []),  # a bound with nothing before it
    ],
)
def test_each_kind_of_mutation(pattern, expected):
    assert sorted(mutants(pattern)) == sorted(expected)


def test_a_member_dropped_between_a_character_and_a_range_joins_them():
    """The mutant of actions.py's format class that deleted é, Greek, Cyrillic and Hebrew from
    every spoken text: \\u00ad\\u0600-\\u0605 written \\u00ad-\\u0605."""
    pattern = r"[\u00ad\u0600-\u0605\u061c]+"
    found = mutants(pattern)
    assert r"[\u00ad-\u0605\u061c]+" in found
    assert r"[\u00ad\u0600-\u061c]+" in found
    assert re.compile(r"[\u00ad-\u0605]").fullmatch("é")
    assert not re.compile(pattern).match("é")


def test_edits_come_in_the_order_of_the_text():
    edits = regex_mutations(r"[ab]+\d{2}")
    assert edits == sorted(edits)
    assert [start for start, _, _ in edits] == [1, 2, 4, 4, 7, 7]


@pytest.mark.parametrize(
    "pattern",
    [
        r"[\x00-\x1f\x7f\x85\u2028\u2029]+",
        r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})",
        r"([A-Z]{2,3})(?:-([A-Z0-9]{1,3}))?",
        r"(?P<verb>playback|transfer|say|voicemail)(?:\s+(?P<rest>.*))?",
        r"https?://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*)?",
        r"[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\U000e0001\U000e0020-\U000e007f]+",
    ],
)
def test_every_mutant_of_the_call_path_patterns_compiles_and_differs(pattern):
    found = mutants(pattern)
    assert found
    for mutant in found:
        assert mutant != pattern
        re.compile(mutant)
    assert len(set(found)) == len(found)
