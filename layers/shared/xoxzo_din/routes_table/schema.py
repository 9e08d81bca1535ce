"""The shape of a route item in the routes table: its key attributes and the special items.

One flat item per rule, keyed by the DIN number in E.164 (`number`, e.g. "+81312345678") and a
free-form `rule_id`. The README's "Route items" section documents every attribute.
"""

from __future__ import annotations

from typing import Any

from xoxzo_din.actions import DEFAULT_LANGUAGE

NUMBER = "number"
RULE_ID = "rule_id"

# rule_id of a number's own default: the action when none of its rules matches.
DEFAULT_RULE_ID = "default"
# `number` of the global default item, used for numbers without a default of their own.
GLOBAL_NUMBER = "*"

# What a newly subscribed number says until someone writes its routes.
NEW_NUMBER_GREETING = "お電話ありがとうございます。ただいま準備中です。しばらくしてからおかけ直しください。"


def new_number_default_item(number: str, now_iso: str) -> dict[str, Any]:
    """The default route item that provisioning creates for a number that has none."""
    return {
        NUMBER: number,
        RULE_ID: DEFAULT_RULE_ID,
        "action": "say",
        "language": DEFAULT_LANGUAGE,
        "text": NEW_NUMBER_GREETING,
        "note": f"created by provisioning at {now_iso}; edit freely",
    }
