"""The action URL's secret check: exact, against every valid secret, never a prefix or a case fold."""

import pytest

from xoxzo_din.access import MIN_SECRET_LENGTH, secret_matches

CURRENT = "c" * 40
PREVIOUS = "p" * 40


@pytest.mark.parametrize(
    ("candidate", "valid", "expected"),
    [
        (CURRENT, [CURRENT], True),
        (PREVIOUS, [CURRENT, PREVIOUS], True),  # while rotating, either is accepted
        (CURRENT, [CURRENT, PREVIOUS], True),
        (PREVIOUS, [CURRENT], False),
        (CURRENT[:-1], [CURRENT], False),  # a prefix is not the secret
        (CURRENT + "c", [CURRENT], False),
        (CURRENT.upper(), [CURRENT], False),
        ("", [CURRENT], False),
        ("", [], False),
        (CURRENT, [], False),  # no valid secret: everything is refused
        ("\ud800" + CURRENT, [CURRENT], False),  # a lone surrogate neither raises nor matches
    ],
)
def test_only_an_exact_valid_secret_matches(candidate, valid, expected):
    assert secret_matches(candidate, valid) is expected


def test_every_secret_is_compared_whichever_matches():
    """No short-circuit: the comparison takes the same work whether the first or the last matches."""
    compared: list[str] = []

    def secrets():
        for secret in (CURRENT, PREVIOUS):
            compared.append(secret)
            yield secret

    assert secret_matches(CURRENT, secrets()) is True
    assert compared == [CURRENT, PREVIOUS]


def test_a_guessable_secret_is_too_short():
    assert MIN_SECRET_LENGTH == 32
