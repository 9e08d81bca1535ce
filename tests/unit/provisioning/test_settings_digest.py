"""Custom::SettingsDigest's digest (xoxzo_din/provisioning/settings_digest.py)."""

from __future__ import annotations

import hashlib
from typing import Any

from xoxzo_din.provisioning.settings_digest import digest

SECRET = "s" * 40
ENVIRONMENT = {"ACTION_SECRET": SECRET, "FALLBACK_ACTION": "", "ROUTE_CACHE_TTL_SECONDS": "30"}
PROPERTIES: dict[str, Any] = {
    "ServiceToken": "arn:aws:lambda:ap-northeast-1:123456789012:function:provisioning",
    "ServiceTimeout": "300",
    "Code": "arn:aws:lambda:ap-northeast-1:123456789012:function:action:7",
    "Layer": "arn:aws:lambda:ap-northeast-1:123456789012:layer:shared:3",
    "Environment": ENVIRONMENT,
}


def test_sixteen_hex_digits_of_the_sha256_of_the_settings_in_canonical_json():
    canonical = (
        '{"Code":"arn:aws:lambda:ap-northeast-1:123456789012:function:action:7",'
        f'"Environment":{{"ACTION_SECRET":"{SECRET}","FALLBACK_ACTION":"","ROUTE_CACHE_TTL_SECONDS":"30"}},'
        '"Layer":"arn:aws:lambda:ap-northeast-1:123456789012:layer:shared:3"}'
    )
    assert digest(PROPERTIES) == hashlib.sha256(canonical.encode()).hexdigest()[:16]


def test_the_order_and_cloudformations_own_keys_do_not_matter():
    reordered = dict(reversed(list(PROPERTIES.items())))
    without_cloudformation = {k: v for k, v in PROPERTIES.items() if not k.startswith("Service")}
    assert digest(reordered) == digest(without_cloudformation) == digest(PROPERTIES)
    assert digest({**PROPERTIES, "ServiceTimeout": "600"}) == digest(PROPERTIES)


def test_any_setting_changes_it_and_it_shows_nothing_of_them():
    changed = [
        {**PROPERTIES, "Code": PROPERTIES["Code"][:-1] + "8"},
        {**PROPERTIES, "Layer": PROPERTIES["Layer"][:-1] + "4"},
        {**PROPERTIES, "Environment": {**ENVIRONMENT, "ACTION_SECRET": "t" * 40}},
        {**PROPERTIES, "Environment": {**ENVIRONMENT, "ACTION_SECRET_PREVIOUS": SECRET}},
    ]
    digests = {digest(properties) for properties in [PROPERTIES, *changed]}
    assert len(digests) == 5
    assert all(len(d) == 16 and set(d) <= set("0123456789abcdef") for d in digests)
