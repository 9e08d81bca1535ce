import pytest

from xoxzo_din.phone import is_e164, is_hidden, to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+81312345678", "+81312345678"),
        ("81312345678", "+81312345678"),  # XOXZO's DIN API form: digits with country code, no "+"
        ("03-1234-5678", "+81312345678"),  # Japanese national format
        ("03 1234 5678", "+81312345678"),
        ("(03) 1234-5678", "+81312345678"),
        ("090-1234-5678", "+819012345678"),
        ("0120-123-456", "+81120123456"),
        ("+81 90 1234 5678", "+819012345678"),
        ("＋８１３１２３４５６７８", "+81312345678"),  # full-width, as typed in Japanese input
        (" +1 (212) 555-0100 ", "+12125550100"),
        ("+81 (0)3-1234-5678", "+81312345678"),  # the bracketed trunk 0 is not dialled
        ("+81 03-1234-5678", "+81312345678"),  # nor an unbracketed one: Japan has no +810...
        ("810312345678", "+81312345678"),
        ("０９０ー１２３４ー５６７８", "+819012345678"),  # typed with a Japanese input method
        ("03‐1234−5678", "+81312345678"),
    ],
)
def test_accepted_forms_become_one_e164_key(raw, expected):
    assert to_e164(raw) == expected
    assert is_e164(expected)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "anonymous",
        "Anonymous",
        "非通知",
        "0",
        "+0123456789",
        "00-81-3-1234-5678",
        "12345",
        "+1234567890123456",
        "03-1234-567",
        "+81abc",
        "٠٣١٢٣٤٥٦٧٨",  # Arabic-Indic digits are not ASCII digits
    ],
)
def test_unusable_values_are_none(raw):
    assert to_e164(raw) is None


@pytest.mark.parametrize(
    ("raw", "hidden"),
    [(None, True), ("", True), ("anonymous", True), ("非通知", True), ("0014155550123", False), ("0", False)],
)
def test_hidden_callers_have_no_digits(raw, hidden):
    assert is_hidden(raw) is hidden


# --- the limits and patterns themselves (make mutation: each bound and member is pinned) --------


@pytest.mark.parametrize("separator", [" ", "-", ".", "/", "‐", "‑", "‒", "–", "—", "―", "−", "ー", "\u3000"])
def test_every_separator_is_dropped(separator):
    assert to_e164(f"03{separator}1234{separator}5678") == "+81312345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1234567", "+1234567"),  # 7 digits: the shortest accepted
        ("+123456789012345", "+123456789012345"),  # 15: the longest
        ("+91 98765 43210", "+919876543210"),  # a country code starting with 9
        ("0999999999", "+81999999999"),
        ("09099999999", "+819099999999"),
        ("+44 (0)20 7946 0000", "+442079460000"),  # the bracketed trunk 0 of any country
        ("(0)3-1234-5678", "+81312345678"),  # without a country code, "(0)" is the trunk 0 itself
    ],
)
def test_numbers_at_the_bounds_are_accepted(raw, expected):
    assert to_e164(raw) == expected


@pytest.mark.parametrize("raw", ["+123456", "0012345678", "00123456789", "031234567890", "+81 0"])
def test_numbers_past_the_bounds_are_none(raw):
    assert to_e164(raw) is None


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("+1234567", True),
        ("+123456789012345", True),
        ("+9123456", True),
        ("+123456", False),
        ("+1234567890123456", False),
        ("+0123456", False),
        ("81312345678", False),
    ],
)
def test_is_e164_bounds(number, valid):
    assert is_e164(number) is valid
