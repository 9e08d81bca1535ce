"""The one way the functions read their settings: values, defaults and problems as data."""

from __future__ import annotations

import pytest

from xoxzo_din.environment import Environment


def test_text_is_stripped_and_blank_is_the_default():
    env = Environment({"A": "  value ", "B": "   "})
    assert (env.text("A"), env.text("B", "d"), env.text("C", "d"), env.optional("B")) == (
        "value",
        "d",
        "d",
        None,
    )
    assert env.problems == []


def test_a_required_value_that_is_missing_is_a_problem_saying_what_happens_without_it():
    env = Environment({"A": "x"})
    assert (env.required("A", "no A"), env.required("B", "every call gets the fallback")) == ("x", "")
    assert env.problems == ["B is not set: every call gets the fallback"]


@pytest.mark.parametrize(
    ("raw", "whole", "expected", "problem"),
    [
        ("", False, 30.0, None),
        ("5", False, 5.0, None),
        ("2.5", False, 2.5, None),
        ("0", False, 0.0, None),
        ("3600", False, 3600.0, None),
        ("3601", False, 30.0, "N 3601 out of 0..3600, using 30"),
        ("-1", False, 30.0, "N -1 out of 0..3600, using 30"),
        ("nan", False, 30.0, "N nan out of 0..3600, using 30"),
        ("ten", False, 30.0, "N 'ten' is not a number, using 30"),
        ("3.5", True, 30.0, "N '3.5' is not a whole number, using 30"),
        ("12", True, 12, None),
    ],
)
def test_a_number_in_range_or_the_default_and_a_problem(raw, whole, expected, problem):
    env = Environment({"N": raw})
    value = env.number("N", 30.0, minimum=0, maximum=3600, whole=whole)
    assert value == expected and type(value) is type(expected)
    assert env.problems == ([problem] if problem else [])
