"""What every provisioning operation shares: its collaborators, the clock and the time budget, and
the few steps they all take (find a subscription, write a record or report a conflict, refuse to
start without time, say what XOXZO already did when a step of ours fails)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from xoxzo_din.provisioning.budget import UNLIMITED, Clock, TimeBudget, iso, utc_now
from xoxzo_din.provisioning.errors import (
    CancelledIncompletelyError,
    ConflictError,
    ProvisioningError,
    SubscribedIncompletelyError,
)
from xoxzo_din.tables.numbers import (
    DETAIL_FIELDS,
    NumberRecord,
    NumbersStore,
    NumberStatus,
    RecordChangedError,
)
from xoxzo_din.tables.routes_writer import RoutesWriter
from xoxzo_din.xoxzo.errors import XoxzoApiError, XoxzoUnavailableError
from xoxzo_din.xoxzo.models import AvailableDin, Subscription

# Longer than the provisioning function's timeout (120 s): a `subscribing` or `cancelling` record
# older than this belongs to no running invocation, so sync may decide its fate.
SUBSCRIBE_GRACE = timedelta(minutes=5)


class DinApi(Protocol):
    """What provisioning needs from XOXZO (xoxzo_din.xoxzo.client.XoxzoClient has exactly this)."""

    def search(self, *, country: str | None = None, prefix: str | None = None) -> list[AvailableDin]: ...
    def subscribe(self, din_uid: str) -> Subscription: ...
    def list_subscriptions(self) -> list[Subscription]: ...
    def set_action_url(self, din_uid: str, action_url: str) -> None: ...
    def cancel(self, din_uid: str) -> None: ...


@dataclass(slots=True)
class Context:
    """One invocation's collaborators. The XOXZO client is built on first use (`client`), so that
    nothing fetches credentials before XOXZO is really called: "nothing to do" answers then work
    even with the placeholder secret of a first deploy."""

    numbers: NumbersStore
    routes: RoutesWriter
    action_url: str | None  # this stack's (ACTION_URL); None when not configured
    client_factory: Callable[[], DinApi] | None = None
    clock: Clock = utc_now
    subscribe_grace: timedelta = SUBSCRIBE_GRACE
    budget: TimeBudget = UNLIMITED
    _client: DinApi | None = field(default=None, repr=False)

    @property
    def client(self) -> DinApi:
        if self._client is None:
            assert self.client_factory is not None  # noqa: S101  (the facade gives one of them)
            self._client = self.client_factory()
        return self._client

    def now(self) -> str:
        return iso(self.clock())

    def subscriptions(self) -> dict[str, Subscription]:
        """XOXZO's subscription list, by din_uid."""
        return by_din_uid(self.client.list_subscriptions())

    def require_time(self, what: str) -> None:
        """Refuse to start a step that needs XOXZO when not even one attempt fits in the budget."""
        if not self.budget.has_time():
            raise XoxzoUnavailableError(
                f"no time left in this invocation to {what} (nothing was sent to XOXZO)",
                attempts=0,
                last_status=None,
                out_of_time=True,
            )

    def is_stale(self, record: NumberRecord) -> bool:
        """Whether no running invocation can still be working on `record` (SUBSCRIBE_GRACE)."""
        updated = datetime.fromisoformat(record.updated_at)
        return self.clock() - updated > self.subscribe_grace

    def create_or_conflict(self, record: NumberRecord) -> NumberRecord:
        try:
            return self.numbers.create(record)
        except RecordChangedError as error:
            raise ConflictError(
                f"a record of {record.din_uid} appeared meanwhile; run the operation again ({error})"
            ) from error


class _HasDinUid(Protocol):
    @property
    def din_uid(self) -> str: ...


def by_din_uid[T: _HasDinUid](items: Iterable[T]) -> dict[str, T]:
    return {item.din_uid: item for item in items}


def details(at_xoxzo: Subscription, record: NumberRecord | None = None) -> dict[str, Any]:
    """The costs, country code and prefix XOXZO's subscription list gives (when it does) that
    `record` lacks: what an imported or adopted number is recorded with."""
    found = {name: getattr(at_xoxzo, name) for name in DETAIL_FIELDS}
    return {
        name: value
        for name, value in found.items()
        if value is not None and (record is None or getattr(record, name) is None)
    }


def first_record(
    at_xoxzo: Subscription, status: NumberStatus, *, now: str, number: str | None, note: str
) -> NumberRecord:
    """The first record of a number XOXZO lists and we have no record of (adopted, imported, or
    cancelled unrecorded): with what XOXZO says of it."""
    return NumberRecord(
        din_uid=at_xoxzo.din_uid,
        status=status,
        updated_at=now,
        number=number,
        action_url=at_xoxzo.action_url,
        note=note,
        created_at=now,
        **details(at_xoxzo),
    )


@contextmanager
def after_subscription(din_uid: str, outcome: str, step: str) -> Iterator[None]:
    """Around a step of ours once XOXZO has the subscription (the number is billed): an unexpected
    failure becomes SubscribedIncompletelyError, which says so and names the step. Only the error's
    type is shown: the handler logs its details and stack trace. Our own answers (Conflict) pass."""
    try:
        yield
    except ProvisioningError:
        raise
    except Exception as error:
        raise SubscribedIncompletelyError(
            f"{din_uid} IS subscribed at XOXZO and billed, but {step} failed ({type(error).__name__}; "
            "see the function's logs): run sync to finish it (sync never subscribes again)",
            outcome=outcome,
        ) from error


@contextmanager
def after_cancel(din_uid: str, outcome: str, step: str, remedy: str) -> Iterator[None]:
    """Around a step of ours once XOXZO no longer has the subscription: an unexpected failure
    becomes CancelledIncompletelyError, which says so, names the step and what to run."""
    try:
        yield
    except ProvisioningError:
        raise
    except Exception as error:
        gone = "cancelled at XOXZO" if outcome == "cancelled" else "gone from XOXZO (it answered 404)"
        raise CancelledIncompletelyError(
            f"{din_uid} IS {gone} and no longer billed, but {step} failed ({type(error).__name__}; "
            f"see the function's logs): {remedy}",
            outcome=outcome,
        ) from error


def describe(error: Exception) -> str:
    if isinstance(error, XoxzoApiError):
        return f"{type(error).__name__}: HTTP {error.status} on {error.method} {error.path}"
    return f"{type(error).__name__}: {error}"
