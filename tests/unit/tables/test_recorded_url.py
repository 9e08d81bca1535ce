"""The numbers table keeps an action URL without its secret (xoxzo_din/tables/recorded_url.py)."""

from __future__ import annotations

import pytest

from xoxzo_din.provisioning.results import redact_url
from xoxzo_din.tables.numbers import NumberRecord, NumberStatus
from xoxzo_din.tables.recorded_url import recorded_url

SECRET = "Zk3Yq9_aB-0123456789abcdefghijklmnopqrstu"
URL = f"https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/{SECRET}"


def test_the_secret_is_replaced_by_its_first_characters_and_a_digest():
    recorded = recorded_url(URL)
    assert recorded is not None and SECRET not in recorded
    assert recorded == "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/Zk3Y***sha256:" + (
        "13bfe38d8392d63d"  # printf %s SECRET | sha256sum
    )
    # Shown as answers show XOXZO's URL: the same four characters.
    assert (
        redact_url(recorded)
        == redact_url(URL)
        == "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/Zk3Y***"
    )


def test_recording_twice_changes_nothing_and_a_trailing_slash_makes_another_url():
    recorded = recorded_url(URL)
    assert recorded is not None and recorded_url(recorded) == recorded
    with_slash = recorded_url(URL + "/")
    assert with_slash is not None
    assert with_slash == recorded + "/" and with_slash != recorded  # the API answers 404 to it
    assert recorded_url(with_slash) == with_slash and SECRET not in with_slash


def test_urls_differing_in_any_character_of_the_secret_are_recorded_differently():
    other = URL[:-1] + "v"
    assert recorded_url(other) != recorded_url(URL)
    assert recorded_url(URL.replace("abc123", "abc124")) != recorded_url(URL)


@pytest.mark.parametrize("url", [None, "", "https://example.com", "https://example.com/", "not a url"])
def test_nothing_to_hide_is_left_as_it_is(url):
    assert recorded_url(url) == url


def test_a_record_holds_the_recorded_form_and_compares_any_form():
    record = NumberRecord(
        din_uid="JPx", status=NumberStatus.ACTIVE, updated_at="2026-12-01T00:00:00Z", action_url=URL
    )
    assert record.action_url == recorded_url(URL)
    assert SECRET not in str(record.to_item())
    assert record.points_at(URL) and record.points_at(recorded_url(URL))
    assert not record.points_at(URL[:-1] + "v") and not record.points_at(None)
    assert NumberRecord(din_uid="JPy", status=NumberStatus.ACTIVE, updated_at="x").points_at(None)
