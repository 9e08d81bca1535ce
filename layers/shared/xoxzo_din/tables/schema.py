"""The RoutesTable's shape: the contract between the functions and the tool that read it (the
action function, the canary, the route-changes function, `xoxzo-din`) and those that write it
(people in the console, provisioning's few items, the tool's imports and restores).

One flat item per rule, keyed by the DIN number in E.164 (`number`, e.g. "+81312345678") and a
free-form `rule_id`; every other attribute is in docs/reference/route-items.md. The table's key
schema itself is declared once, in template.yaml.
"""

from __future__ import annotations

from typing import Final

# The environment variable that names the table, in every function that reads it (template.yaml declares it).
ROUTES_TABLE_ENV: Final = "ROUTES_TABLE_NAME"

NUMBER: Final = "number"
RULE_ID: Final = "rule_id"

# rule_id of a number's own default: the action when none of its rules matches.
DEFAULT_RULE_ID: Final = "default"
# `number` of the global default item, used for numbers without a default of their own.
GLOBAL_NUMBER: Final = "*"

# The language of a route item's `text` when the item names none.
DEFAULT_LANGUAGE: Final = "ja"

# Every attribute a route item may have; any other is ignored (a note, a description...). Exactly
# what routing.rule_parsing reads (tests/unit/routing/test_attributes.py).
ATTRIBUTES: Final = frozenset(
    {
        NUMBER,
        RULE_ID,
        "action",
        "url",
        "to",
        "text",
        "language",
        "priority",
        "enabled",
        "callers",
        "days",
        "hours",
        "dates",
        "holidays",
        "active_from",
        "active_until",
        "timezone",
    }
)
