"""Every item of a Query or a Scan, page after page: the one paging loop of the tables package
(the call path's reader, with its deadline and retries, keeps its own)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any


def every_item(read: Callable[..., Mapping[str, Any]], **arguments: Any) -> Iterator[dict[str, Any]]:
    """The items `read` (a table's or a client's `query` or `scan`) answers for `arguments`, each
    page asked from where the last one stopped."""
    while True:
        page = read(**arguments)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        arguments = {**arguments, "ExclusiveStartKey": page["LastEvaluatedKey"]}
