"""Custom::SettingsDigest: a digest of the action function's code version, layer and environment,
so that a deploy changing any of them publishes a new version for the live alias (ColdStarts:
docs/explanation/cold-starts.md). CloudFormation only publishes when a property of the version
changes, and has no hash function of its own: this is it. The digest shows nothing of the secrets
it covers. No AWS or XOXZO call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final

RESOURCE_TYPE: Final = "Custom::SettingsDigest"
PHYSICAL_RESOURCE_ID: Final = "xoxzo-din-settings-digest"
# CloudFormation's own keys of a custom resource's properties: not settings.
CLOUDFORMATION_KEYS: Final = frozenset({"ServiceToken", "ServiceTimeout"})


def digest(properties: Mapping[str, Any]) -> str:
    """16 hex digits of the SHA-256 of the properties (in a canonical JSON form)."""
    settings = {name: value for name, value in properties.items() if name not in CLOUDFORMATION_KEYS}
    canonical = json.dumps(settings, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
