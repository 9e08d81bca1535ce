"""The RoutesTable's shape: the one contract between the action function (which reads it) and the
provisioning function (which writes a few items).

One flat item per rule, keyed by the DIN number in E.164 (`number`, e.g. "+81312345678") and a
free-form `rule_id`; every other attribute is in docs/reference/route-items.md. The table's key
schema itself is declared once, in template.yaml.
"""

from __future__ import annotations

from typing import Final

# The environment variable that names the table, in both functions (template.yaml declares it).
ROUTES_TABLE_ENV: Final = "ROUTES_TABLE_NAME"

NUMBER: Final = "number"
RULE_ID: Final = "rule_id"

# rule_id of a number's own default: the action when none of its rules matches.
DEFAULT_RULE_ID: Final = "default"
# `number` of the global default item, used for numbers without a default of their own.
GLOBAL_NUMBER: Final = "*"

# The language of a route item's `text` when the item names none.
DEFAULT_LANGUAGE: Final = "ja"
