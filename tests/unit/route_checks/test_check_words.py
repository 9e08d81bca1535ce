"""`routes check` in the words of the person who typed the item: every finding names the attribute
they typed, says what is wrong without a programmer's type name, and gives the fix as an example
value; exact caller numbers and prefixes that cannot exist are warned of."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.route_items import FALLBACK
from xoxzo_din.route_checks.check import ERROR, WARNING, check_routes
from xoxzo_din.route_checks.phone_numbers import country_name, number_problem, prefix_problem
from xoxzo_din.tables.snapshot import group

NUMBER = "+81312345678"
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
GLOBAL = {"number": "*", "rule_id": "default", "action": "voicemail"}
DEFAULT = {"number": NUMBER, "rule_id": "default", "action": "voicemail"}
PYTHON_TYPES = re.compile(r"\b(NoneType|Decimal|int|float|str|bool|dict|frozenset|bytes)\b|<\w+>|list\[")


def findings_of(**attributes):
    rule = {"number": NUMBER, "rule_id": "r", "priority": 1, **attributes}
    return [
        f
        for f in check_routes(group([GLOBAL, DEFAULT, rule]), now=NOW, fallback=FALLBACK)
        if f.rule_id == "r" and "never decides" not in f.problem
    ]


@pytest.mark.parametrize(
    ("attributes", "attribute", "says", "fix"),
    [
        # The transfer targets of the issue: the same attribute, words and fix, whatever the form.
        (
            {"action": "transfer", "to": "03-1234-000"},
            "to",
            "to: 03-1234-000 has 9 digits; Japanese numbers have 10 or 11",
            "e.g. to: 03-1234-0000",
        ),
        (
            {"action": "transfer", "to": "+8131234"},
            "to",
            "to: +8131234 has 6 digits (031234 in Japan); Japanese numbers have 10 or 11",
            "e.g. to: 03-1234-0000",
        ),
        ({"action": "transfer"}, "to", "transfer needs to, the number to transfer to", "e.g. to:"),
        (
            {"action": "transfer", "to": Decimal(81312340000)},
            "to",
            "to is a Number (81312340000)",
            "e.g. to:",
        ),
        (
            {"action": "transfer 03-1234-000"},
            "action",
            "03-1234-000 has 9 digits",
            "e.g. action: transfer +81312340000",
        ),
        (
            {"action": "sya"},
            "action",
            "action sya is not playback, transfer, say or voicemail; did you mean say?",
            "e.g. action: say",
        ),
        (
            {"action": "say", "language": "japanese", "text": "x"},
            "language",
            "language japanese is not",
            "e.g. language: ja",
        ),
        ({"action": "say", "text": "  "}, "text", "text is empty", "e.g. text:"),
        (
            {"action": "playback", "url": "ftp://x"},
            "url",
            "url: ftp://x is not a web address",
            "e.g. url: http://",
        ),
        # A time range names the part that is wrong.
        (
            {"hours": "25:00-26:00", "action": "voicemail"},
            "hours",
            "the start 25:00 is not a time of day",
            "09:00-12:00",
        ),
        (
            {"hours": "09:00-24:30", "action": "voicemail"},
            "hours",
            "the end 24:30 is past midnight",
            "09:00-12:00",
        ),
        (
            {"hours": "09:75-17:00", "action": "voicemail"},
            "hours",
            "the start 09:75 has 75 minutes",
            "09:00-12:00",
        ),
        (
            {"hours": "9-17", "action": "voicemail"},
            "hours",
            "9-17 has no minutes: write 09:00-17:00",
            "09:00-12:00",
        ),
        (
            {"days": "mon-fry", "action": "voicemail"},
            "days",
            "fry is not a day of the week (in mon-fry)",
            "e.g. days: mon-fri",
        ),
        (
            {"dates": "2026-02-30", "action": "voicemail"},
            "dates",
            "2026-02-30 is not a day of the calendar",
            "e.g. dates:",
        ),
        (
            {"dates": "12-29..2027-01-03", "action": "voicemail"},
            "dates",
            "mixes a date of every year",
            "e.g. dates:",
        ),
        (
            {"priority": Decimal("1.5"), "action": "voicemail"},
            "priority",
            "priority 1.5 is not a whole number",
            "e.g. priority: 20",
        ),
        (
            {"enabled": "maybe", "action": "voicemail"},
            "enabled",
            "enabled maybe is neither true nor false",
            "e.g. enabled:",
        ),
        (
            {"timezone": "Tokyo", "action": "voicemail"},
            "timezone",
            "timezone Tokyo is not the name of a time zone",
            "Asia/Tokyo",
        ),
        ({"holidays": "XX", "action": "voicemail"}, "holidays", "no holiday calendar", "e.g. holidays: JP"),
        (
            {"active_from": "next week", "action": "voicemail"},
            "active_from",
            "next week is not a date",
            "e.g. active_from:",
        ),
        (
            {"active_from": "2026-12-20", "active_until": "2026-12-10", "action": "voicemail"},
            "active_until",
            "active_until 2026-12-10 is not after active_from 2026-12-20",
            "a date after 2026-12-20",
        ),
        ({"callers": "00*", "action": "voicemail"}, "callers", "00* starts with 00", "e.g. callers:"),
    ],
)
def test_each_error_names_the_attribute_typed_says_why_and_gives_an_example(attributes, attribute, says, fix):
    errors = [f for f in findings_of(**attributes) if f.severity == ERROR]
    assert [f.attribute for f in errors] == [attribute]
    assert says in errors[0].problem
    assert errors[0].fix.startswith(fix) or fix in errors[0].fix
    assert not PYTHON_TYPES.search(errors[0].problem + errors[0].fix)


def test_a_transfer_target_that_cannot_exist_is_an_error_whether_or_not_the_function_reads_it():
    skipped = findings_of(action="transfer", to="03-1234-000")
    read = findings_of(action="transfer", to="+8131234")
    assert [(f.severity, f.attribute, f.fix) for f in skipped] == [(ERROR, "to", read[0].fix)]
    assert [(f.severity, f.attribute) for f in read] == [(ERROR, "to")]


def test_a_broken_rule_with_callers_says_which_problem_to_fix_first():
    found = findings_of(callers="+81120000000", action="sya")
    assert [(f.severity, f.attribute) for f in found] == [(ERROR, "action"), (WARNING, "callers")]
    assert found[1].fix == "fix its action first (the error above)"


@pytest.mark.parametrize(
    ("callers", "says"),
    [
        (
            "090-1234-567",
            "callers: 090-1234-567 has 10 digits; numbers starting 090 have 11: a digit is missing",
        ),
        (
            "+8112011122",
            "callers: +8112011122 has 9 digits (012011122 in Japan); Japanese numbers have 10 or 11",
        ),
        ("+81901234567890*", "callers: +81901234567890*: no Japanese number starts with 0901234567890"),
        ("+999*", "callers: +999* starts with a country code that no country has"),
    ],
)
def test_an_exact_caller_or_prefix_that_cannot_exist_is_a_warning_naming_the_entry(callers, says):
    found = findings_of(callers=f"+819012345678, {callers}", action="voicemail")
    assert [(f.severity, f.attribute) for f in found] == [(WARNING, "callers")]
    assert found[0].problem.startswith(says)
    assert "falls through to later rules" in found[0].problem
    assert found[0].fix.startswith("e.g. ")


def test_possible_callers_and_prefixes_are_not_warned_of():
    callers = {"+819012345678", "090-1111-2222", "0120-*", "+1212*", "anonymous", "03-1234-*"}
    assert findings_of(callers=callers, action="voicemail") == []


def test_phone_numbers_in_plain_words():
    assert number_problem("03-1234-5678") is None
    assert number_problem("+1 212 555 0100") is None
    assert number_problem("090-1234-56789") == "090-1234-56789 has 12 digits; Japanese numbers have 10 or 11"
    assert number_problem("+1555012") == "+1555012 has 6 digits after +1; numbers with +1 have 7 or 10"
    assert number_problem("abc") == "abc is not a phone number"
    assert prefix_problem("090-*", "+8190") is None
    assert prefix_problem("+8*", "+8") is None  # the start of several country codes
    assert country_name(81) == "Japan"
    assert country_name(1) == "+1"  # shared by the United States, Canada...


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.text(max_size=12),
    st.sampled_from(
        ["25:00-26:00", "mon-fry", "2026-02-30", "03-1234-000", "+8131234", "sya", "09:00-17:00"]
    ),
    st.frozensets(st.text(max_size=6), max_size=3),
    st.lists(st.integers(), max_size=2),
)
_NAMES = st.sampled_from(
    (
        *("action", "to", "url", "text", "language", "priority", "enabled", "callers", "days", "hours"),
        *("dates", "holidays", "active_from", "active_until", "timezone"),
    )
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_NAMES, _VALUES, min_size=1, max_size=4))
def test_no_finding_carries_a_python_type_name(attributes):
    for finding in findings_of(**attributes):
        assert not PYTHON_TYPES.search(finding.problem), finding
        assert not PYTHON_TYPES.search(finding.fix), finding
        if finding.severity == ERROR:
            assert finding.attribute in attributes or finding.attribute in ("to", "url", "text", "action")
