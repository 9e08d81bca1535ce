"""search: the numbers XOXZO offers, by country and prefix (nothing is written)."""

from __future__ import annotations

from xoxzo_din.phone import to_e164
from xoxzo_din.provisioning.context import Context
from xoxzo_din.provisioning.requests import SearchRequest
from xoxzo_din.provisioning.results import AvailableNumber, SearchResult
from xoxzo_din.xoxzo.models import AvailableDin


def search(ctx: Context, request: SearchRequest) -> SearchResult:
    found = ctx.client.search(country=request.country, prefix=request.prefix)
    numbers = [_available_number(din) for din in found]
    return SearchResult(country=request.country, prefix=request.prefix, count=len(numbers), numbers=numbers)


def _available_number(din: AvailableDin) -> AvailableNumber:
    return AvailableNumber(
        din_uid=din.din_uid,
        number=to_e164(din.number) or din.number,
        country_code=din.country_code,
        prefix=din.prefix,
        monthly_cost=din.monthly_cost,
        minute_cost=din.minute_cost,
    )
