"""Provisioning requests: the ONE validator of what an operator may ask (`parse_request`).

A direct-invocation event, or the arguments of the `Provisioner` facade, become a typed request
here, with every problem listed at once (InvalidRequestError); the operations trust the types and
check nothing again. Fields of each operation: docs/reference/provisioning-operations.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xoxzo_din.provisioning.errors import InvalidRequestError
from xoxzo_din.xoxzo.models import validate_din_uid

_COUNTRY = re.compile(r"[A-Za-z]{2}")  # ASCII only: "ß".upper() is "SS"
# XOXZO's search prefix is the start of the number WITH its country code, as in its documented
# `prefix=813` (Tokyo 03): so it never starts with 0. ASCII digits only.
_PREFIX = re.compile(r"[1-9][0-9]{0,9}")
_PREFIX_EXAMPLE = "'813' for Tokyo 03, '8150' for 050"
# How much of a wrong value a problem message shows.
_SHOWN_CHARS = 80
_URL = re.compile(r"https?://[^\s/?#]+(/[^\s]*)?")
# How many din_uids one sync may be asked to take over.
MAX_ADOPT = 100


def _raise_if_problems(problems: list[str]) -> None:
    if problems:
        raise InvalidRequestError(problems)


def _shown(value: object) -> str:
    """A value as a problem message shows it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def check_din_uid(value: object, problems: list[str], name: str = "din_uid") -> str:
    if value is None or value == "":
        problems.append(f"{name} is required (a string such as 'JPafr34rafic76tf')")
        return ""
    if not isinstance(value, str):
        problems.append(f"{name} must be a string such as 'JPafr34rafic76tf', not {_shown(value)}")
        return ""
    try:
        validate_din_uid(value)  # the client's rule: safe as one URL path segment
    except ValueError:
        problems.append(
            f"{name} {_shown(value)} is not a XOXZO din_uid (letters, digits, '.', '_', '~', '-')"
        )
    return value


def check_country(value: object, problems: list[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _COUNTRY.fullmatch(value.strip()):
        problems.append(f"country {_shown(value)} is not a two-letter country code such as 'JP'")
        return None
    return value.strip().upper()


def check_prefix(value: object, problems: list[str]) -> str | None:
    """The start of the number with its country code ("813"); a leading "+" is accepted."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = value.strip().removeprefix("+") if isinstance(value, str) else None
    if text is not None and _PREFIX.fullmatch(text):
        return text
    if text is not None and text[:1] == "0" and text.isascii() and text.isdigit():
        national = text[1:]
        hint = (
            f"write '81{national}' for {text}" if national[:1] not in ("", "0") else f"e.g. {_PREFIX_EXAMPLE}"
        )
        problems.append(
            f"prefix {_shown(value)} starts with 0: give the start of the number with its country "
            f"code and without the trunk 0 ({hint})"
        )
        return None
    problems.append(
        f"prefix {_shown(value)} must be 1 to 10 digits, the start of the number with its country "
        f"code (e.g. {_PREFIX_EXAMPLE})"
    )
    return None


def check_action_url(value: object, problems: list[str], name: str = "action_url") -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _URL.fullmatch(value):
        problems.append(f"{name} must be an absolute http(s) URL without spaces")
        return None
    return value


def check_bool(value: object, problems: list[str], name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        problems.append(f"{name} must be true or false (JSON boolean), not {_shown(value)}")
        return False
    return value


def check_adopt(value: object, problems: list[str]) -> frozenset[str]:
    """sync's `adopt`: a non-empty JSON array of din_uids (duplicates are harmless)."""
    if value is None:
        return frozenset()
    if not isinstance(value, list | tuple | set | frozenset) or not value:
        problems.append(
            'adopt must be a non-empty list of the din_uids to take over, e.g. ["JPafr34rafic76tf"], '
            f"not {_shown(value)}"
        )
        return frozenset()
    if len(value) > MAX_ADOPT:
        problems.append(f"adopt names {len(value)} din_uids; at most {MAX_ADOPT} per sync")
        return frozenset()
    before = len(problems)
    din_uids = [check_din_uid(item, problems, f"adopt[{index}]") for index, item in enumerate(value)]
    return frozenset(din_uids) if len(problems) == before else frozenset()


@dataclass(frozen=True, slots=True)
class SearchRequest:
    country: str | None
    prefix: str | None


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    din_uid: str


@dataclass(frozen=True, slots=True)
class ListRequest:
    pass


@dataclass(frozen=True, slots=True)
class SetActionUrlRequest:
    din_uid: str | None
    all_numbers: bool
    action_url: str | None
    force: bool = False  # an action_url that is not this stack's API (logged as a warning)


@dataclass(frozen=True, slots=True)
class CancelRequest:
    din_uid: str
    confirm: str
    delete_routes: bool


@dataclass(frozen=True, slots=True)
class SyncRequest:
    adopt: frozenset[str] = frozenset()  # din_uids pointing elsewhere to take over explicitly


Request = SearchRequest | SubscribeRequest | ListRequest | SetActionUrlRequest | CancelRequest | SyncRequest

_FIELDS: dict[str, frozenset[str]] = {
    "search": frozenset({"country", "prefix"}),
    "subscribe": frozenset({"din_uid"}),
    "list": frozenset(),
    "set-action-url": frozenset({"din_uid", "all", "action_url", "force"}),
    "cancel": frozenset({"din_uid", "confirm", "delete_routes"}),
    "sync": frozenset({"adopt"}),
}
OPERATIONS = tuple(_FIELDS)


def request_fields(operation: str) -> frozenset[str]:
    """The fields an event of `operation` may have besides "operation" (none for an unknown one)."""
    return _FIELDS.get(operation, frozenset())


def parse_request(event: Mapping[str, Any]) -> Request:
    """The request in a direct-invocation event; InvalidRequestError lists every problem found."""
    problems: list[str] = []
    operation = event.get("operation")
    # isinstance first: a JSON list or object is not hashable.
    if not isinstance(operation, str) or operation not in _FIELDS:
        problems.append(f"operation must be one of {', '.join(OPERATIONS)} (got {_shown(operation)})")
        raise InvalidRequestError(problems)
    unknown = sorted(set(event) - _FIELDS[operation] - {"operation"})
    if unknown:
        problems.append(f"unknown field(s) for {operation}: {', '.join(unknown)}")
    request = _read(operation, event, problems)
    _raise_if_problems(problems)
    return request


def build_request(operation: str, **fields: Any) -> Request:
    """The request of `operation` from keyword fields named as in an event (`all` included):
    the same checks as `parse_request`, for callers in code (the `Provisioner` facade)."""
    problems: list[str] = []
    request = _read(operation, fields, problems)
    _raise_if_problems(problems)
    return request


def _read(operation: str, event: Mapping[str, Any], problems: list[str]) -> Request:
    """Read the fields of a known `operation`, appending every problem to `problems`."""
    match operation:
        case "search":
            return SearchRequest(
                check_country(event.get("country"), problems), check_prefix(event.get("prefix"), problems)
            )
        case "subscribe":
            return SubscribeRequest(check_din_uid(event.get("din_uid"), problems))
        case "list":
            return ListRequest()
        case "set-action-url":
            all_numbers = check_bool(event.get("all"), problems, "all")
            din_uid = event.get("din_uid")
            if all_numbers and din_uid is not None:
                problems.append("give either din_uid or all=true, not both")
            elif not all_numbers:
                check_din_uid(din_uid, problems, "din_uid (or all=true)")
            action_url = check_action_url(event.get("action_url"), problems)
            force = check_bool(event.get("force"), problems, "force")
            return SetActionUrlRequest(din_uid if not all_numbers else None, all_numbers, action_url, force)
        case "cancel":
            din_uid = check_din_uid(event.get("din_uid"), problems)
            confirm = event.get("confirm")
            if confirm is not None and not isinstance(confirm, str):
                problems.append(
                    f"confirm must be a string repeating the din_uid or the number, not {_shown(confirm)}"
                )
                confirm = ""
            elif not isinstance(confirm, str) or not confirm.strip():
                problems.append("confirm is required: repeat the din_uid or the number to cancel")
                confirm = ""
            return CancelRequest(
                din_uid, confirm, check_bool(event.get("delete_routes"), problems, "delete_routes")
            )
        case "sync":
            return SyncRequest(check_adopt(event.get("adopt"), problems))
    raise ValueError(f"unknown operation {operation!r}")
