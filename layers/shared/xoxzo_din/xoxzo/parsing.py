"""XOXZO's response bodies read into models. Unconfirmed fields are read here, and only here
(docs/reference/xoxzo-din-api.md says which): an unusable value becomes None, never an error."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from xoxzo_din.phone import to_e164
from xoxzo_din.xoxzo.errors import XoxzoProtocolError, short
from xoxzo_din.xoxzo.models import DIN_UID, AvailableDin, Subscription


def as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def parse_available(item: Any) -> AvailableDin | None:
    """One item of GET /voice/dins/, or None when it is unusable."""
    if not isinstance(item, Mapping):
        return None
    din_uid, din = item.get("din_uid"), item.get("din")
    if not isinstance(din_uid, str) or not DIN_UID.fullmatch(din_uid) or not isinstance(din, str | int):
        return None
    number = to_e164(str(din) if str(din).startswith("+") else f"+{din}")
    monthly, minute = as_float(item.get("monthly_cost")), as_float(item.get("minute_cost"))
    if number is None or monthly is None or minute is None:
        return None
    return AvailableDin(
        din_uid=din_uid,
        number=number,
        country_code=str(item.get("country_code", "")),
        prefix=str(item.get("prefix", "")),
        monthly_cost=monthly,
        minute_cost=minute,
    )


def _as_digits(value: Any) -> str | None:
    """A code such as "81" or "3" (a JSON string or number of ASCII digits), else None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text if text.isascii() and text.isdigit() and len(text) <= 10 else None


def _cost(value: Any) -> float | None:
    number = as_float(value)
    return number if number is not None and number >= 0 else None


def subscription_from(item: Mapping[str, Any], din_uid: str) -> Subscription:
    """Every field but din_uid and action.url is unconfirmed: read if usable, None otherwise."""
    din = item.get("din")
    number = None
    if isinstance(din, str | int) and not isinstance(din, bool) and str(din):
        number = to_e164(str(din) if str(din).startswith("+") else f"+{din}")
    action = item.get("action")
    action_url = action.get("url") if isinstance(action, Mapping) else None
    return Subscription(
        din_uid=din_uid,
        number=number,
        action_url=action_url if isinstance(action_url, str) and action_url else None,
        monthly_cost=_cost(item.get("monthly_cost")),
        minute_cost=_cost(item.get("minute_cost")),
        country_code=_as_digits(item.get("country_code")),
        prefix=_as_digits(item.get("prefix")),
    )


def parse_subscription(item: Any) -> Subscription:
    """One item of GET /voice/dins/subscriptions/ (carries at least din_uid and action.url)."""
    if not isinstance(item, Mapping) or not isinstance(item.get("din_uid"), str) or not item["din_uid"]:
        raise XoxzoProtocolError(f"subscription item without a din_uid: {short(item)}")
    return subscription_from(item, item["din_uid"])
