"""Every doctor check fails for its own reason, and passes once that is fixed, and says so in words
(no I/O: the stack's facts and the HTTP answers are given)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers.route_items import FALLBACK
from xoxzo_din.tables.snapshot import group
from xoxzo_din_cli.doctor.checks import FAIL, PASS, STACK, WARN, Stack
from xoxzo_din_cli.doctor.command import run
from xoxzo_din_cli.doctor.web import Response
from xoxzo_din_cli.provisioning_client import OperationError

NUMBER = "+81345678901"
BASE = "http://api.test/action/"
SECRET = "s" * 40
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
MP3 = "http://media.test/hello.mp3"
GOOD_ITEMS = [
    {"number": "*", "rule_id": "default", "action": "voicemail"},
    {"number": NUMBER, "rule_id": "default", "action": "say", "text": "hello"},
    {"number": NUMBER, "rule_id": "010-anon", "callers": "anonymous", "action": "playback", "url": MP3},
    {
        "number": NUMBER,
        "rule_id": "020-vip",
        "callers": "+819012345678",
        "action": "transfer",
        "to": "+81312340001",
    },
]
LISTING = {
    NUMBER: {
        "din_uid": "JPx",
        "number": NUMBER,
        "status": "active",
        "at_xoxzo": True,
        "drift": [],
        "action_url_at_xoxzo": f"{BASE}{SECRET[:4]}***",
    },
}


def healthy() -> Stack:
    return Stack(
        action_base_url=BASE,
        secret=SECRET,
        previous_secret=None,
        configured_at=NOW - timedelta(days=1),
        listing=LISTING,
        list_error=None,
        routes=group(GOOD_ITEMS),
        fallback=FALLBACK,
    )


class Web:
    """Answers as a healthy stack does; `broken` overrides by URL prefix."""

    def __init__(self, **broken: Response) -> None:
        self.broken = broken

    def __call__(self, url, *, method="GET", headers=None):
        for prefix in sorted(self.broken, key=len, reverse=True):  # the longest prefix decides
            if url.startswith(prefix):
                return self.broken[prefix]
        if url.startswith(f"{BASE}{SECRET}?"):
            return Response(200, "text/plain; charset=utf-8", 'say ja "hello"')
        if url.startswith(BASE):
            return Response(403, "text/plain", "Forbidden")
        if url == MP3:
            return Response(200, "audio/mpeg", "")
        return Response(None, "", "", "unreachable")


def statuses(stack, web=None):
    return {check.name: check.status for check in run(stack, None, get=web or Web(), now=lambda: NOW)}


def failing(stack, web=None):
    return {name for name, status in statuses(stack, web).items() if status == FAIL}


def test_a_healthy_stack_passes_every_check_but_the_unverifiable_credit():
    assert {name: s for name, s in statuses(healthy()).items() if s != PASS} == {"credit": WARN}


@pytest.mark.parametrize(
    ("broken", "check"),
    [
        (
            lambda s: replace(s, list_error=OperationError("CredentialsError", "placeholder"), listing=None),
            "credentials",
        ),
        (lambda s: replace(s, routes=group([i for i in GOOD_ITEMS if i["number"] != "*"])), "global default"),
        (
            lambda s: replace(
                s, routes=group([*GOOD_ITEMS, {"number": NUMBER, "rule_id": "x", "hours": "9-5"}])
            ),
            "routes check",
        ),
        (
            lambda s: replace(s, routes=group([*GOOD_ITEMS[:3], {**GOOD_ITEMS[3], "to": "+1555012"}])),
            "transfer targets",
        ),
        (
            lambda s: replace(
                s, listing={NUMBER: {**LISTING[NUMBER], "drift": ["action_url_not_this_stack"]}}
            ),
            "action URL at XOXZO",
        ),
        (
            lambda s: replace(
                s, listing={NUMBER: {**LISTING[NUMBER], "at_xoxzo": False, "drift": ["only_ours"]}}
            ),
            "subscribed",
        ),
        (lambda s: replace(s, secret=None), "action URL answers"),
    ],
)
def test_each_stack_fact_breaks_exactly_its_check(broken, check):
    assert failing(broken(healthy())) >= {check}
    if check != "credentials":  # without the list, subscription state is unknown too
        assert failing(broken(healthy())) == {check}


@pytest.mark.parametrize(
    ("web", "check"),
    [
        (
            Web(
                **{
                    BASE: Response(200, "text/plain", "ok"),
                    f"{BASE}{SECRET}": Response(200, "text/plain", 'say ja "hello"'),
                }
            ),
            "wrong secret refused",
        ),
        (Web(**{f"{BASE}{SECRET}": Response(500, "application/json", "{}")}), "action URL answers"),
        (Web(**{f"{BASE}{SECRET}": Response(200, "text/html", "<html>")}), "action URL answers"),
        (
            Web(**{f"{BASE}{SECRET}": Response(200, "text/plain", "transfer +81300000001")}),
            "action URL answers",
        ),
        (Web(**{f"{BASE}{SECRET}": Response(200, "text/plain", "dance")}), "action URL answers"),
        (Web(**{MP3: Response(404, "text/html", "")}), "MP3 files"),
        (Web(**{MP3: Response(200, "text/html", "")}), "MP3 files"),
    ],
)
def test_each_wrong_answer_breaks_exactly_its_check(web, check):
    assert failing(healthy(), web) == {check}


def test_an_old_previous_secret_warns_and_a_fresh_one_passes():
    fresh = replace(healthy(), previous_secret="p" * 40)
    web = Web(**{f"{BASE}{'p' * 40}": Response(200, "text/plain", "voicemail")})
    assert statuses(fresh, web)["second secret"] == PASS
    old = replace(fresh, configured_at=NOW - timedelta(days=30))
    assert statuses(old, web)["second secret"] == WARN


def test_only_the_numbers_named_are_checked():
    checks = run(healthy(), ["+81399990000"], get=Web(), now=lambda: NOW)
    assert {c.number for c in checks} == {STACK, "+81399990000"}
    assert next(c for c in checks if c.name == "subscribed").status == FAIL


def test_doctor_says_in_words_that_an_mp3_host_cannot_be_found():
    web = Web(**{MP3: Response(None, "", "", "[Errno -2] Name or service not known")})
    (check,) = [c for c in run(healthy(), [NUMBER], get=web) if c.name == "MP3 files"]
    assert check.status == FAIL
    assert "the host media.test could not be found" in check.reason
    assert "XOXZO must be able to fetch the file" in check.reason and "Errno" not in check.reason
