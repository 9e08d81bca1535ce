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
