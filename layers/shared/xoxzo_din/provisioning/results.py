"""What each operation answers, JSON-able via dataclasses.asdict.

What each operation answers, and its outcomes: docs/reference/provisioning-operations.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from xoxzo_din.tables.numbers import NumberRecord
from xoxzo_din.tables.recorded_url import SHOWN_SECRET_CHARS


def redact_url(url: str | None) -> str | None:
    """Hide the secret last path segment of an action URL in answers and logs."""
    if not url:
        return url
    head, slash, last = url.rstrip("/").rpartition("/")
    if not slash or len(last) < 12:
        return url
    return f"{head}/{last[:SHOWN_SECRET_CHARS]}***"


@dataclass(frozen=True, slots=True)
class NumberView:
    """A record as answers show it: the action URL's secret is redacted."""

    din_uid: str
    number: str | None
    status: str
    action_url: str | None
    subscribed_at: str | None
    cancelled_at: str | None
    previous_cancelled_at: str | None
    monthly_cost: float | None
    minute_cost: float | None
    country_code: str | None
    prefix: str | None
    note: str | None
    updated_at: str

    @classmethod
    def of(cls, record: NumberRecord) -> NumberView:
        return cls(
            din_uid=record.din_uid,
            number=record.number,
            status=str(record.status),
            action_url=redact_url(record.action_url),
            subscribed_at=record.subscribed_at,
            cancelled_at=record.cancelled_at,
            previous_cancelled_at=record.previous_cancelled_at,
            monthly_cost=record.monthly_cost,
            minute_cost=record.minute_cost,
            country_code=record.country_code,
            prefix=record.prefix,
            note=record.note,
            updated_at=record.updated_at,
        )


@dataclass(frozen=True, slots=True)
class AvailableNumber:
    din_uid: str
    number: str
    country_code: str
    prefix: str
    monthly_cost: float
    minute_cost: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    country: str | None
    prefix: str | None
    count: int
    numbers: list[AvailableNumber]


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    # "subscribed" (POSTed now), "already_held" (ours, nothing POSTed) or "adopted" (XOXZO already
    # had it, e.g. after a crash; nothing POSTed).
    outcome: str
    din_uid: str
    number: str | None
    action_url_set: bool
    default_route_created: bool
    warnings: list[str]
    record: NumberView | None


@dataclass(frozen=True, slots=True)
class PointOutcome:
    din_uid: str
    number: str | None
    outcome: str  # "set", "failed" or "skipped" (no time left)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SetActionUrlResult:
    action_url: str | None  # redacted
    numbers: list[PointOutcome]
    set_count: int
    failed_count: int
    skipped_count: int


@dataclass(frozen=True, slots=True)
class NumberListing:
    din_uid: str
    number: str | None
    status: str | None  # ours; None when we have no record
    at_xoxzo: bool
    action_url_at_xoxzo: str | None  # redacted
    action_url_recorded: str | None  # redacted
    # only_at_xoxzo, only_ours, status_mismatch, action_url_differs, action_url_not_this_stack
    drift: list[str]
    subscribed_at: str | None
    cancelled_at: str | None
    monthly_cost: float | None
    note: str | None


@dataclass(frozen=True, slots=True)
class ListResult:
    numbers: list[NumberListing]
    count: int
    drift_count: int


@dataclass(frozen=True, slots=True)
class CancelResult:
    # "cancelled", "already_gone" (XOXZO answered 404) or "already_cancelled" (per our record).
    outcome: str
    din_uid: str
    number: str | None
    routes_deleted: int
    record: NumberView | None


# A record written by an earlier version, that kept its action URL's secret, rewritten by sync.
URL_REDACTED_IN_RECORD: Final = "action_url_secret_removed"


@dataclass(frozen=True, slots=True)
class SyncAction:
    din_uid: str
    number: str | None
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class ForeignNumber:
    """A number XOXZO lists on this account that is not ours to take: no record here (or one that
    does not hold it), and its action URL points at another server. Sync leaves it alone."""

    din_uid: str
    number: str | None
    status: str | None  # our record's status; None when there is no record here
    points_to: str  # the host of its action URL at XOXZO
    hint: str


@dataclass(slots=True)
class SyncReport:
    actions: list[SyncAction] = field(default_factory=list)
    errors: list[SyncAction] = field(default_factory=list)
    pending: list[SyncAction] = field(default_factory=list)  # needs a person or a later sync
    # Numbers XOXZO lists that point elsewhere and are not ours: neither imported nor re-pointed.
    foreign: list[ForeignNumber] = field(default_factory=list)
    in_sync: int = 0
    at_xoxzo: int = 0
    recorded: int = 0

    def repairs(self) -> list[SyncAction]:
        """The actions that repaired drift: a record rewritten without its secret is upkeep."""
        return [action for action in self.actions if action.action != URL_REDACTED_IN_RECORD]

    def entries(self) -> int:
        """How many numbers the report says something about (a number it adds none to is in sync)."""
        return len(self.actions) + len(self.errors) + len(self.pending) + len(self.foreign)
