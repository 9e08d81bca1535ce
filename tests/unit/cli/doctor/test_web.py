"""Why a fetch got no answer, in words (the socket library's are for programmers)."""

import pytest

from xoxzo_din_cli.doctor.web import unreachable


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("[Errno 111] Connection refused", "media.test refused the connection (nothing serves that port)"),
        ("timed out", "media.test did not answer within 5 s"),
        ("something new", "no answer from media.test (something new)"),
    ],
)
def test_other_network_failures_are_said_in_words(error, words):
    assert unreachable("http://media.test/a.mp3", error) == words
