"""Which action URLs are this stack's (ownership.points_here): this stack's API with any secret, or
any API with this stack's secret."""

from __future__ import annotations

import pytest

from xoxzo_din.provisioning.ownership import is_action_url_of_this_stack, points_here

# This stack's API before its secret was rotated: still this stack's.
ROTATED_URL = (
    "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/rotated-away-0123456789abcdefghij"
)
# Another stack on the same XOXZO account (e.g. prod, when this one is dev).
PROD_URL = "https://prod987.execute-api.ap-northeast-1.amazonaws.com/action/prod-secret-0123456789abcdef"

MINE = "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/s3cr3t-0123456789abcdefghijklmnop"


@pytest.mark.parametrize(
    ("url", "ours"),
    [
        (MINE, True),
        (MINE + "/", True),
        (MINE.replace("abc123.execute-api", "ABC123.Execute-API"), True),
        (MINE.replace(".com/", ".com:443/"), True),
        (MINE + "?caller=1", True),
        (ROTATED_URL, True),  # this stack's API, another secret: a rotation
        ("https://abc123.execute-api.ap-northeast-1.amazonaws.com/action", True),  # the output, no secret
        # The same stack re-created (a new API id) with the secret it was told to keep.
        (
            "https://new456.execute-api.ap-northeast-1.amazonaws.com/action/s3cr3t-0123456789abcdefghijklmnop",
            True,
        ),
        (PROD_URL, False),
        (MINE.replace("https://", "http://"), True),  # our secret: ours, re-pointed to https
        (ROTATED_URL.replace("https://", "http://"), False),  # another scheme, another secret
        ("https://abc123.execute-api.ap-northeast-1.amazonaws.com/other/s3cr3t-0123", False),
        ("not a url", False),
    ],
)
def test_which_action_urls_are_this_stacks(url: str, ours: bool) -> None:
    assert points_here(url, MINE) is ours


def test_a_short_secret_alone_never_makes_another_hosts_url_ours() -> None:
    short = "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/short"
    assert points_here("https://other.example.com/action/short", short) is False
    assert points_here("https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/x", short) is True


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (
            f"https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/{'n' * 40}",
            True,
        ),  # another secret of ours
        (f"https://evil.example/action/{'s' * 40}", False),  # ends in a secret, another host
        (
            "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action",
            False,
        ),  # the output pasted, no secret
        ("https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/wrong", False),  # not a secret
        (
            f"http://abc123.execute-api.ap-northeast-1.amazonaws.com/action/{'n' * 40}",
            False,
        ),  # another scheme
    ],
)
def test_numbers_are_pointed_without_force_only_at_this_stacks_api_with_a_secret(url, allowed):
    mine = f"https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/{'s' * 40}"
    assert is_action_url_of_this_stack(url, mine) is allowed
