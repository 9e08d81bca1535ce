"""Our record of every XOXZO number we pay for: the NumbersTable (key din_uid), never deleted.

Attributes and statuses: docs/reference/numbers-table.md; when each status is written:
docs/explanation/write-order-and-sync.md.

Every write is conditional where a concurrent writer could otherwise be overwritten; a failed
condition raises `RecordChangedError`. Writes given `seen=` (a record the caller read) apply only if
the record is still that version: sync decides on what it read, and must not apply a decision to a
record someone changed since. Every write returns the record as written, so that a caller can chain
its next conditional write on it. DynamoDB has no floats: costs are stored as Decimal and
read back as float.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, ConditionBase
from botocore.exceptions import ClientError

from xoxzo_din.tables.paging import every_item
from xoxzo_din.tables.recorded_url import recorded_url

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class NumberStatus(StrEnum):
    SUBSCRIBING = "subscribing"
    ACTIVE = "active"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"
    FAILED = "failed"
    MISSING_AT_XOXZO = "missing_at_xoxzo"


# What XOXZO says about a number besides its status: its search (when we subscribe), or its
# subscription list (when a number is imported or adopted).
DETAIL_FIELDS = ("monthly_cost", "minute_cost", "country_code", "prefix")

# Statuses in which XOXZO may be billing us for the number.
HELD_STATUSES = frozenset({NumberStatus.SUBSCRIBING, NumberStatus.ACTIVE, NumberStatus.CANCELLING})


@dataclass(frozen=True, slots=True)
class NumberRecord:
    din_uid: str
    status: NumberStatus
    updated_at: str  # ISO 8601 UTC
    number: str | None = None  # canonical E.164 "+81..."; None only when XOXZO never told us
    action_url: str | None = None  # what we last set at XOXZO, without its secret (recorded_url)
    subscribed_at: str | None = None
    cancelled_at: str | None = None
    # The cancelled_at of an earlier period, kept when XOXZO turned out to bill the number again
    # (sync reactivated it) or when it was subscribed again: history is never dropped.
    previous_cancelled_at: str | None = None
    monthly_cost: float | None = None  # credits, as XOXZO's search listed them
    minute_cost: float | None = None
    country_code: str | None = None
    prefix: str | None = None
    note: str | None = None  # the last thing that happened to the record, for humans
    created_at: str | None = None
    # Incremented by every write: the optimistic-locking token (timestamps have equal values
    # within a second).
    version: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "action_url", recorded_url(self.action_url))

    def points_at(self, url: str | None) -> bool:
        """Whether `url` (XOXZO's, or one about to be set) is the action URL recorded."""
        return self.action_url == recorded_url(url)

    def to_item(self) -> dict[str, Any]:
        """The DynamoDB item: absent values are left out, floats become Decimal."""
        item: dict[str, Any] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value is not None:
                item[field.name] = _to_dynamodb(value)
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> NumberRecord:
        known = {field.name for field in fields(cls)}
        values = {name: _from_dynamodb(value) for name, value in item.items() if name in known}
        values["status"] = NumberStatus(values["status"])
        for cost in ("monthly_cost", "minute_cost"):
            if values.get(cost) is not None:
                values[cost] = float(values[cost])
        return cls(**values)

    def with_changes(self, **changes: Any) -> NumberRecord:
        return replace(self, **changes)


class RecordChangedError(Exception):
    """A conditional write lost: someone else changed (or created) the record meanwhile."""

    def __init__(self, din_uid: str, expectation: str) -> None:
        super().__init__(f"the record of {din_uid} changed meanwhile (expected {expectation}); retry")
        self.din_uid = din_uid
        self.expectation = expectation


def _to_dynamodb(value: Any) -> Any:
    if isinstance(value, float):
        # str() first: Decimal(0.1) would keep the binary float's noise.
        return Decimal(str(value))
    if isinstance(value, StrEnum):
        return str(value)
    return value


def _from_dynamodb(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class NumbersStore:
    """Data access for the numbers table. Methods are named after what happened to the number."""

    def __init__(self, table: Table) -> None:
        self._table = table

    # Reads: always consistent, decisions about money are taken on them.

    def get(self, din_uid: str) -> NumberRecord | None:
        item = self._table.get_item(Key={"din_uid": din_uid}, ConsistentRead=True).get("Item")
        return NumberRecord.from_item(item) if item else None

    def all(self) -> list[NumberRecord]:
        """Every record (a few hundred numbers at most: a scan is fine)."""
        records = [NumberRecord.from_item(item) for item in self._scan()]
        return sorted(records, key=lambda record: (record.number or "", record.din_uid))

    def active(self) -> list[NumberRecord]:
        return [record for record in self.all() if record.status is NumberStatus.ACTIVE]

    # Full-record writes, guarded by the record's version.

    def create(self, record: NumberRecord) -> NumberRecord:
        """Write a record for a din_uid that has none (a subscribe intent, an import)."""
        written = record.with_changes(version=1)
        self._put(written, Attr("din_uid").not_exists(), "no record")
        return written

    def replace_record(self, record: NumberRecord, previous: NumberRecord) -> NumberRecord:
        """Overwrite `previous` with `record`, unless it changed since `previous` was read."""
        written = record.with_changes(version=previous.version + 1)
        self._put(written, _unchanged_since(previous), f"version {previous.version} ({previous.status})")
        return written

    # Partial updates: they touch only what they name, so they never clobber concurrent changes
    # to other attributes.

    def mark_active(
        self,
        din_uid: str,
        *,
        now: str,
        note: str,
        number: str | None = None,
        subscribed_at: str | None = None,
        seen: NumberRecord | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> NumberRecord:
        """XOXZO has the subscription. Without `seen` (a subscribe that just got XOXZO's answer)
        the only condition is that the record exists; with `seen`, the record must still be that
        version. A `cancelled_at` of `seen` moves to `previous_cancelled_at`: an active number has
        no cancellation, but its history is kept. `details` (DETAIL_FIELDS) are written too."""
        values: dict[str, Any] = {"status": NumberStatus.ACTIVE, "note": note}
        if number is not None:
            values["number"] = number
        if subscribed_at is not None:
            values["subscribed_at"] = subscribed_at
        for name, value in (details or {}).items():
            if name not in DETAIL_FIELDS:
                raise ValueError(f"not a detail of a number: {name}")
            if value is not None:
                values[name] = value
        remove: tuple[str, ...] = ()
        if seen is not None and seen.cancelled_at is not None:
            values["previous_cancelled_at"] = seen.cancelled_at
            remove = ("cancelled_at",)
        return self._update(
            din_uid,
            now,
            values,
            _and_unchanged(Attr("din_uid").exists(), seen),
            "a record" + _as_seen(seen),
            remove=remove,
        )

    def mark_failed(
        self, din_uid: str, *, now: str, note: str, seen: NumberRecord | None = None
    ) -> NumberRecord:
        """Only a subscribe intent can fail: never demote a record someone else made active. With
        `seen`, only if the record is still the one the caller decided on."""
        return self._move(
            din_uid, now, note, from_status=NumberStatus.SUBSCRIBING, to_status=NumberStatus.FAILED, seen=seen
        )

    def mark_missing_at_xoxzo(
        self, din_uid: str, *, now: str, note: str, seen: NumberRecord | None = None
    ) -> NumberRecord:
        missing = NumberStatus.MISSING_AT_XOXZO
        return self._move(din_uid, now, note, from_status=NumberStatus.ACTIVE, to_status=missing, seen=seen)

    def mark_cancelling(self, din_uid: str, *, now: str, previous: NumberRecord) -> NumberRecord:
        return self._update(
            din_uid,
            now,
            {"status": NumberStatus.CANCELLING, "note": f"cancel requested at {now}"},
            _unchanged_since(previous),
            f"version {previous.version} ({previous.status})",
        )

    def mark_cancelled(
        self, din_uid: str, *, now: str, cancelled_at: str, note: str, seen: NumberRecord | None = None
    ) -> NumberRecord:
        return self._update(
            din_uid,
            now,
            {"status": NumberStatus.CANCELLED, "cancelled_at": cancelled_at, "note": note},
            _and_unchanged(Attr("din_uid").exists(), seen),
            "a record" + _as_seen(seen),
        )

    def revert_cancelling(self, din_uid: str, *, now: str, status: NumberStatus, note: str) -> NumberRecord:
        """XOXZO refused the cancel outright: the number is still held as before."""
        return self._update(
            din_uid,
            now,
            {"status": status, "note": note},
            Attr("status").eq(NumberStatus.CANCELLING.value),
            "status cancelling",
        )

    def record_action_url(
        self, din_uid: str, *, now: str, action_url: str, seen: NumberRecord | None = None
    ) -> NumberRecord:
        return self._update(
            din_uid,
            now,
            {"action_url": recorded_url(action_url)},
            _and_unchanged(Attr("din_uid").exists(), seen),
            "a record" + _as_seen(seen),
        )

    def remove_secrets(self, now: str) -> list[NumberRecord]:
        """Rewrite the action URL of records written before it was kept without its secret
        (`recorded_url`); return them as rewritten. A record changed meanwhile is left to its writer
        (every write keeps the recorded form)."""
        rewritten: list[NumberRecord] = []
        for item in self._scan(ProjectionExpression="din_uid, action_url"):
            stored = item.get("action_url")
            if not isinstance(stored, str) or recorded_url(stored) == stored:
                continue
            din_uid, values = str(item["din_uid"]), {"action_url": recorded_url(stored)}
            condition = Attr("action_url").eq(stored)
            try:
                rewritten.append(self._update(din_uid, now, values, condition, "the same URL"))
            except RecordChangedError:
                continue
        return rewritten

    # Internals

    def _scan(self, **options: Any) -> Iterator[dict[str, Any]]:
        """Every item, consistently read, page after page."""
        return every_item(self._table.scan, **{"ConsistentRead": True, **options})

    def _put(self, record: NumberRecord, condition: ConditionBase, expectation: str) -> None:
        try:
            self._table.put_item(Item=record.to_item(), ConditionExpression=condition)
        except ClientError as error:
            raise _conflict_or(error, record.din_uid, expectation) from error

    def _move(
        self,
        din_uid: str,
        now: str,
        note: str,
        *,
        from_status: NumberStatus,
        to_status: NumberStatus,
        seen: NumberRecord | None,
    ) -> NumberRecord:
        """From one status to another, only from that one (and from `seen`, when given)."""
        return self._update(
            din_uid,
            now,
            {"status": to_status, "note": note},
            _and_unchanged(Attr("status").eq(from_status.value), seen),
            f"status {from_status}" + _as_seen(seen),
        )

    def _update(
        self,
        din_uid: str,
        now: str,
        values: Mapping[str, Any],
        condition: ConditionBase,
        expectation: str,
        *,
        remove: tuple[str, ...] = (),
    ) -> NumberRecord:
        """Apply a partial update under `condition`; return the record as written."""
        # Placeholders for every name: "status", "number" and friends are DynamoDB reserved words.
        assignments = {**values, "updated_at": now}
        names = {f"#{name}": name for name in [*assignments, *remove, "version"]}
        expression = "SET " + ", ".join(
            [
                *(f"#{name} = :{name}" for name in assignments),
                "#version = if_not_exists(#version, :zero) + :one",
            ]
        )
        if remove:
            expression += " REMOVE " + ", ".join(f"#{name}" for name in remove)
        try:
            written = self._table.update_item(
                Key={"din_uid": din_uid},
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    **{f":{name}": _to_dynamodb(value) for name, value in assignments.items()},
                    ":zero": 0,
                    ":one": 1,
                },
                ConditionExpression=condition,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            raise _conflict_or(error, din_uid, expectation) from error
        return NumberRecord.from_item(written["Attributes"])


def _unchanged_since(previous: NumberRecord) -> ConditionBase:
    if previous.version == 0:  # written by hand, without a version
        return Attr("version").not_exists() & Attr("updated_at").eq(previous.updated_at)
    return Attr("version").eq(previous.version)


def _and_unchanged(condition: ConditionBase, seen: NumberRecord | None) -> ConditionBase:
    return condition if seen is None else condition & _unchanged_since(seen)


def _as_seen(seen: NumberRecord | None) -> str:
    return "" if seen is None else f", version {seen.version}"


def _conflict_or(error: ClientError, din_uid: str, expectation: str) -> Exception:
    if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
        return RecordChangedError(din_uid, expectation)
    return error
