"""The world the provisioning operations' functional tests run in: an in-memory XOXZO, journaling
spies of the numbers store and the routes writer over the template's tables in moto, a clock, and
the numbers they use. The `world` fixture (conftest.py) builds one per test."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from xoxzo_din.provisioning.provisioner import Provisioner
from xoxzo_din.tables.numbers import NumberRecord, NumbersStore, NumberStatus
from xoxzo_din.tables.routes_writer import DynamoDbRoutesWriter
from xoxzo_din.xoxzo.errors import (
    XoxzoNotFoundError,
)
from xoxzo_din.xoxzo.models import AvailableDin, Subscription

ACTION_URL = (
    "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/s3cr3t-0123456789abcdefghijklmnop"
)
OTHER_URL = "https://old.example.com/action/old-secret-0123456789abcdef"
# This stack's API before its secret was rotated: still this stack's.
ROTATED_URL = (
    "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/rotated-away-0123456789abcdefghij"
)
# Another stack on the same XOXZO account (e.g. prod, when this one is dev).
PROD_URL = "https://prod987.execute-api.ap-northeast-1.amazonaws.com/action/prod-secret-0123456789abcdef"
TOKYO = AvailableDin("JPg3nw7pd5xjl8va", "+81345678901", "81", "3", 1300.0, 2.0)
IP_PHONE = AvailableDin("JPafr34rafic76tf", "+815012345678", "81", "50", 650.0, 1.0)
OSAKA = AvailableDin("JPj8mc3gt6pyw5rk", "+81612345678", "81", "6", 1100.0, 2.0)


class FakeXoxzo:
    """XOXZO in memory. `journal` is shared with the store and routes spies to check write order."""

    def __init__(self, journal: list[str], pool: list[AvailableDin]) -> None:
        self.journal = journal
        self.pool = {din.din_uid: din for din in pool}
        self.subscribed: dict[str, Subscription] = {}
        self.failures: dict[str, list[Exception]] = {}

    def _call(self, name: str) -> None:
        self.journal.append(f"xoxzo.{name}")
        queued = self.failures.get(name)
        if queued:
            raise queued.pop(0)

    def fail(self, name: str, *errors: Exception) -> None:
        self.failures.setdefault(name, []).extend(errors)

    def calls(self, name: str) -> int:
        return self.journal.count(f"xoxzo.{name}")

    def holds(self, din: AvailableDin, action_url: str | None = None) -> None:
        self.subscribed[din.din_uid] = Subscription(
            din.din_uid,
            din.number,
            action_url,
            monthly_cost=din.monthly_cost,
            minute_cost=din.minute_cost,
            country_code=din.country_code,
            prefix=din.prefix,
        )

    def search(self, *, country: str | None = None, prefix: str | None = None) -> list[AvailableDin]:
        self._call("search")
        return [
            din
            for uid, din in self.pool.items()
            if uid not in self.subscribed and (prefix is None or din.number[1:].startswith(prefix))
        ]

    def subscribe(self, din_uid: str) -> Subscription:
        self._call("subscribe")
        din = self.pool[din_uid]
        self.subscribed[din_uid] = Subscription(din_uid, din.number, None)
        return self.subscribed[din_uid]

    def list_subscriptions(self) -> list[Subscription]:
        self._call("list_subscriptions")
        return list(self.subscribed.values())

    def set_action_url(self, din_uid: str, action_url: str) -> None:
        self._call("set_action_url")
        if din_uid not in self.subscribed:
            raise XoxzoNotFoundError(404, {"detail": "Not found."}, "POST", f"/{din_uid}/")
        self.subscribed[din_uid] = replace(self.subscribed[din_uid], action_url=action_url)

    def cancel(self, din_uid: str) -> None:
        self._call("cancel")
        if self.subscribed.pop(din_uid, None) is None:
            raise XoxzoNotFoundError(404, {"detail": "Not found."}, "DELETE", f"/{din_uid}/")


class JournalingStore(NumbersStore):
    def __getattribute__(self, name: str) -> Any:
        attribute = super().__getattribute__(name)
        if name.startswith(("create", "replace_record", "mark_", "record_", "revert_")):
            journal: list[str] = super().__getattribute__("journal")

            def logged(*args: Any, **kwargs: Any) -> Any:
                first = args[0] if args else None
                status = f":{first.status}" if isinstance(first, NumberRecord) else ""
                journal.append(f"store.{name}{status}")
                return attribute(*args, **kwargs)

            return logged
        return attribute


class JournalingRoutes(DynamoDbRoutesWriter):
    journal: list[str]

    def ensure_default_route(self, number: str, now: str) -> bool:
        self.journal.append("routes.ensure_default_route")
        return super().ensure_default_route(number, now)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class World:
    def __init__(self, tables: dict[str, str]) -> None:
        self.journal: list[str] = []
        self.xoxzo = FakeXoxzo(self.journal, [TOKYO, IP_PHONE, OSAKA])
        dynamodb = boto3.resource("dynamodb")
        self.numbers = JournalingStore(dynamodb.Table(tables["NUMBERS_TABLE_NAME"]))
        self.numbers.journal = self.journal  # type: ignore[attr-defined]
        self.routes_table = dynamodb.Table(tables["ROUTES_TABLE_NAME"])
        self.routes = JournalingRoutes(self.routes_table)
        self.routes.journal = self.journal
        self.clock = Clock()
        self.provisioner = self.make(action_url=ACTION_URL)

    def make(self, **overrides: Any) -> Provisioner:
        options: dict[str, Any] = {
            "client": self.xoxzo,
            "numbers": self.numbers,
            "routes": self.routes,
            "action_url": ACTION_URL,
            "clock": self.clock,
        }
        return Provisioner(**(options | overrides))

    def record(self, din_uid: str) -> NumberRecord:
        found = self.numbers.get(din_uid)
        assert found is not None, f"no record of {din_uid}"
        return found

    def routes_of(self, number: str) -> list[dict[str, Any]]:
        return self.routes_table.query(
            KeyConditionExpression="#n = :n",
            ExpressionAttributeNames={"#n": "number"},
            ExpressionAttributeValues={":n": number},
        )["Items"]

    def seed(self, din: AvailableDin, status: NumberStatus, **changes: Any) -> None:
        self.numbers.create(
            NumberRecord(
                din_uid=din.din_uid,
                status=status,
                updated_at="2026-04-01T08:00:00Z",
                number=din.number,
                **changes,
            )
        )


def never_called() -> Any:
    raise AssertionError("XOXZO must not be called")


def fails_once(monkeypatch: pytest.MonkeyPatch, target: object, method: str) -> None:
    """`target.method` fails the first time as DynamoDB can (not a condition: an error of its own),
    then works."""
    original = getattr(target, method)
    calls: list[str] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(method)
        if len(calls) == 1:
            raise ClientError(
                {"Error": {"Code": "InternalServerError", "Message": "detail kept for the logs"}}, method
            )
        return original(*args, **kwargs)

    monkeypatch.setattr(target, method, failing)
