"""NumbersStore against the numbers table of template.yaml (in moto): round trips and the conditions
that protect records from concurrent writers."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from xoxzo_din.provisioning import runtime as provisioning_runtime
from xoxzo_din.tables.numbers import NumberRecord, NumbersStore, NumberStatus, RecordChangedError
from xoxzo_din.tables.recorded_url import recorded_url

T0 = "2026-04-01T00:00:00Z"
T1 = "2026-04-01T00:00:01Z"


@pytest.fixture
def store(tables: dict[str, str]) -> NumbersStore:
    return provisioning_runtime.numbers_store()


def record(
    din_uid: str = "JPafr34rafic76tf", status: NumberStatus = NumberStatus.SUBSCRIBING
) -> NumberRecord:
    return NumberRecord(
        din_uid=din_uid,
        status=status,
        updated_at=T0,
        number="+815012345678",
        monthly_cost=650.1,
        minute_cost=0.1,
        country_code="81",
        prefix="50",
        created_at=T0,
    )


def raw_item(tables: dict[str, str], din_uid: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(tables["NUMBERS_TABLE_NAME"])
    return table.get_item(Key={"din_uid": din_uid})["Item"]


def test_a_record_survives_the_round_trip_with_its_float_costs(store: NumbersStore, tables) -> None:
    store.create(record())

    read = store.get("JPafr34rafic76tf")

    assert read == record().with_changes(version=1)
    assert read is not None and read.monthly_cost == 650.1 and read.minute_cost == 0.1
    # Absent values are not written as nulls.
    assert "action_url" not in raw_item(tables, "JPafr34rafic76tf")


def test_get_of_an_unknown_din_uid_is_none(store: NumbersStore) -> None:
    assert store.get("JPnothing") is None


def test_create_never_overwrites_an_existing_record(store: NumbersStore) -> None:
    store.create(record(status=NumberStatus.ACTIVE))

    with pytest.raises(RecordChangedError):
        store.create(record())

    assert store.get("JPafr34rafic76tf").status is NumberStatus.ACTIVE  # type: ignore[union-attr]


def test_replace_record_loses_against_a_write_made_since_it_read(store: NumbersStore) -> None:
    store.create(record(status=NumberStatus.FAILED))
    read_by_both = store.get("JPafr34rafic76tf")
    assert read_by_both is not None
    store.replace_record(record(), read_by_both)  # the first writer wins

    with pytest.raises(RecordChangedError):
        store.replace_record(record(), read_by_both)  # the second one read a stale version

    assert store.get("JPafr34rafic76tf").version == 2  # type: ignore[union-attr]


def test_mark_failed_never_demotes_a_number_someone_made_active(store: NumbersStore) -> None:
    store.create(record())
    store.mark_active("JPafr34rafic76tf", now=T1, note="subscribed", subscribed_at=T1)

    with pytest.raises(RecordChangedError):
        store.mark_failed("JPafr34rafic76tf", now=T1, note="sync thought it never happened")

    active = store.get("JPafr34rafic76tf")
    assert active is not None
    assert (active.status, active.subscribed_at, active.note) == (NumberStatus.ACTIVE, T1, "subscribed")


def test_mark_missing_applies_only_to_active_numbers(store: NumbersStore) -> None:
    store.create(record(status=NumberStatus.CANCELLED))

    with pytest.raises(RecordChangedError):
        store.mark_missing_at_xoxzo("JPafr34rafic76tf", now=T1, note="gone")


def test_updates_need_an_existing_record(store: NumbersStore) -> None:
    with pytest.raises(RecordChangedError):
        store.record_action_url("JPnothing", now=T1, action_url="https://example.com/a")
    assert store.get("JPnothing") is None


def test_mark_cancelling_is_guarded_by_the_version_it_read(store: NumbersStore) -> None:
    store.create(record(status=NumberStatus.ACTIVE))
    read = store.get("JPafr34rafic76tf")
    assert read is not None
    store.record_action_url("JPafr34rafic76tf", now=T1, action_url="https://example.com/a")

    with pytest.raises(RecordChangedError):
        store.mark_cancelling("JPafr34rafic76tf", now=T1, previous=read)

    fresh = store.get("JPafr34rafic76tf")
    assert fresh is not None
    store.mark_cancelling("JPafr34rafic76tf", now=T1, previous=fresh)
    assert store.get("JPafr34rafic76tf").status is NumberStatus.CANCELLING  # type: ignore[union-attr]


def test_mark_active_keeps_the_cancellation_it_clears_and_other_attributes(store: NumbersStore) -> None:
    store.create(record(status=NumberStatus.CANCELLED).with_changes(cancelled_at=T0))
    seen = store.get("JPafr34rafic76tf")
    assert seen is not None

    returned = store.mark_active("JPafr34rafic76tf", now=T1, note="found at XOXZO", seen=seen)

    active = store.get("JPafr34rafic76tf")
    assert active is not None and returned == active
    assert active.status is NumberStatus.ACTIVE
    assert (active.cancelled_at, active.previous_cancelled_at) == (None, T0)
    assert (active.monthly_cost, active.number, active.updated_at) == (650.1, "+815012345678", T1)
    assert active.version == seen.version + 1


def test_mark_active_with_seen_loses_against_a_write_made_since(store: NumbersStore) -> None:
    store.create(record(status=NumberStatus.MISSING_AT_XOXZO))
    seen = store.get("JPafr34rafic76tf")
    assert seen is not None
    store.mark_cancelling("JPafr34rafic76tf", now=T1, previous=seen)
    store.mark_cancelled("JPafr34rafic76tf", now=T1, cancelled_at=T1, note="cancelled")

    with pytest.raises(RecordChangedError):
        store.mark_active("JPafr34rafic76tf", now=T1, note="sync", seen=seen)

    cancelled = store.get("JPafr34rafic76tf")
    assert cancelled is not None
    assert (cancelled.status, cancelled.cancelled_at) == (NumberStatus.CANCELLED, T1)


def test_record_action_url_with_seen_loses_against_a_write_made_since(store: NumbersStore) -> None:
    store.create(record(status=NumberStatus.ACTIVE))
    seen = store.get("JPafr34rafic76tf")
    assert seen is not None
    chained = store.record_action_url("JPafr34rafic76tf", now=T1, action_url="https://a.example/1", seen=seen)

    with pytest.raises(RecordChangedError):
        store.record_action_url("JPafr34rafic76tf", now=T1, action_url="https://a.example/2", seen=seen)
    store.record_action_url("JPafr34rafic76tf", now=T1, action_url="https://a.example/3", seen=chained)

    assert store.get("JPafr34rafic76tf").action_url == recorded_url("https://a.example/3")  # type: ignore[union-attr]


def test_revert_cancelling_only_from_cancelling(store: NumbersStore) -> None:
    store.create(record(status=NumberStatus.ACTIVE))
    with pytest.raises(RecordChangedError):
        store.revert_cancelling("JPafr34rafic76tf", now=T1, status=NumberStatus.ACTIVE, note="x")


def test_all_reads_every_page_and_active_filters(store: NumbersStore, monkeypatch) -> None:
    for index in range(7):
        status = NumberStatus.ACTIVE if index % 2 == 0 else NumberStatus.CANCELLED
        store.create(record(f"JPuid{index}", status).with_changes(number=f"+8150000000{index}"))
    original_scan = store._table.scan
    # Force tiny pages so that the pagination is exercised.
    monkeypatch.setattr(store._table, "scan", lambda **kwargs: original_scan(Limit=2, **kwargs))

    everything = store.all()

    assert [r.din_uid for r in everything] == [f"JPuid{index}" for index in range(7)]
    assert [r.din_uid for r in store.active()] == ["JPuid0", "JPuid2", "JPuid4", "JPuid6"]


def test_a_hand_written_item_without_version_can_still_be_replaced(store: NumbersStore, tables) -> None:
    table = boto3.resource("dynamodb").Table(tables["NUMBERS_TABLE_NAME"])
    table.put_item(Item={"din_uid": "JPhand", "status": "failed", "updated_at": T0})
    read = store.get("JPhand")
    assert read is not None and read.version == 0

    store.replace_record(record("JPhand"), read)

    assert store.get("JPhand").version == 1  # type: ignore[union-attr]
