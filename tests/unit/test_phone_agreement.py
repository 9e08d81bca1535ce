"""The call path's light normaliser (xoxzo_din.phone) and phonenumbers, Google's libphonenumber port
the tool judges transfer targets with, agree on every number form docs/reference/route-items.md
promises. (The light one: about 1.7 us a number against 17 us, and no 15 ms import on a cold start.)"""

import phonenumbers
import pytest

from xoxzo_din.phone import to_e164

FORMS = [
    "+81312345678",
    "81312345678",
    "+81 3 1234 5678",
    "+81-3-1234-5678",
    "03-1234-5678",
    "(03) 1234-5678",
    "090-1234-5678",
    "09012345678",
    "050-1234-5678",
    "0120-123-456",
    "+81 (0)3-1234-5678",
    "＋８１３１２３４５６７８",
    "０３−１２３４−５６７８",
    "03ー1234ー5678",
    "+1 212 555 0100",
    "+44 20 7946 0018",
]


@pytest.mark.parametrize("form", FORMS)
def test_both_give_the_same_e164(form):
    parsed = phonenumbers.parse(form, "JP")
    assert phonenumbers.is_valid_number(parsed), form
    assert to_e164(form) == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
