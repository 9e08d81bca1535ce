"""The life cycle of the XOXZO numbers we pay for: search, subscribe, list, point, cancel, sync.

Plain typed code, no Lambda: `Provisioner` takes a XOXZO client (or a factory, so that nothing
fetches credentials before they are needed), a `NumbersStore`, a `RoutesWriter`, this stack's
action URL and a clock. The provisioning function's handler only parses events and shapes answers.

Subscriptions cost money the moment they are made, so every step is written down first and can be
finished later. `subscribe(din_uid)` writes in this order:

1. record the intent: status `subscribing`, with the number and costs XOXZO's search gave;
2. POST the subscription to XOXZO;
3. mark the record `active` with `subscribed_at`;
4. set the action URL at XOXZO;
5. record that action URL;
6. create the number's default route (a conditional put: an existing default is never
   overwritten).

Before step 1 it looks at our record (an `active` number subscribes nothing) and at XOXZO's
subscription list (a number XOXZO already has is adopted, never POSTed again; one that is not ours
and points at another server is refused, ForeignNumberError). A conditional write in step 1 makes a
second, concurrent subscribe of the same din_uid fail instead of paying twice.

A crash after any step is repaired by `sync`, which compares XOXZO's subscription list with our
records: it completes `subscribing` records XOXZO has (steps 3-6), marks `failed` the ones XOXZO
never got (once they are older than `SUBSCRIBE_GRACE`, so that a subscribe still running is not
disturbed), imports numbers only XOXZO has (only if their action URL is this stack's, see
`points_here`: one pointing elsewhere, or with no URL and no record, is another stack's until
`adopt` names it), marks `missing_at_xoxzo` the active
ones XOXZO no longer has, finishes unfinished cancels (a stale cancel intent XOXZO still lists
becomes active again), re-points action URLs that differ and creates the default route of active
numbers that have no route at all.

`cancel` writes `cancelling` before XOXZO's DELETE and `cancelled` after it, for the same reason
(and builds the XOXZO client, reading the credentials, before writing it).

Once XOXZO has the subscription (POSTed now, adopted or already held), or has dropped it (cancel),
an unexpected failure of a later step of ours (e.g. a DynamoDB error) is not answered as a bug:
`SubscribedIncompletelyError` / `CancelledIncompletelyError` say what XOXZO did, which step failed
and what to run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from xoxzo_din.access import MIN_SECRET_LENGTH
from xoxzo_din.numbers_store import (
    DETAIL_FIELDS,
    HELD_STATUSES,
    NumberRecord,
    NumbersStore,
    NumberStatus,
    RecordChangedError,
)
from xoxzo_din.phone import to_e164
from xoxzo_din.provisioning_errors import (
    CancelledIncompletelyError,
    ConflictError,
    ForeignNumberError,
    InvalidRequestError,
    NotAvailableError,
    NotHeldError,
    OutcomeUnknownError,
    ProvisioningError,
    SubscribedIncompletelyError,
)
from xoxzo_din.route_items import NUMBER, RULE_ID, new_number_default_item
from xoxzo_din.xoxzo_api import (
    AvailableDin,
    Subscription,
    XoxzoApiError,
    XoxzoError,
    XoxzoNotFoundError,
    XoxzoOutcomeUnknownError,
    XoxzoUnavailableError,
    validate_din_uid,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

ROUTES_TABLE_ENV = "ROUTES_TABLE_NAME"

# Longer than the provisioning function's timeout (120 s): a `subscribing` or `cancelling` record
# older than this belongs to no running invocation, so sync may decide its fate.
SUBSCRIBE_GRACE = timedelta(minutes=5)

_COUNTRY = re.compile(r"[A-Za-z]{2}")  # ASCII only: "ß".upper() is "SS"
# XOXZO's search prefix is the start of the number WITH its country code, as in its documented
# `prefix=813` (Tokyo 03): so it never starts with 0. ASCII digits only.
_PREFIX = re.compile(r"[1-9][0-9]{0,9}")
_PREFIX_EXAMPLE = "'813' for Tokyo 03, '8150' for 050"
# How much of a wrong value a problem message shows.
_SHOWN_CHARS = 80
_URL = re.compile(r"https?://[^\s/?#]+(/[^\s]*)?")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# How many din_uids one sync may be asked to take over.
MAX_ADOPT = 100

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# --- Time ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeBudget:
    """The time an invocation has for XOXZO calls.

    `seconds_left` is what remains for XOXZO (the Lambda's remaining time minus what must follow
    the last call: writes and the answer); `attempt_seconds` is the longest one XOXZO attempt can
    take. The client gets `seconds_left` as its deadline (it starts no attempt that could outlast
    it); the Provisioner starts no number, subscribe or cancel without time for one attempt.
    """

    seconds_left: Callable[[], float]
    attempt_seconds: float

    @classmethod
    def of_lambda(
        cls, remaining_ms: Callable[[], int], *, reserve_seconds: float, attempt_seconds: float
    ) -> TimeBudget:
        """From a Lambda context's get_remaining_time_in_millis."""
        return cls(lambda: remaining_ms() / 1000 - reserve_seconds, attempt_seconds)

    def has_time(self) -> bool:
        return self.seconds_left() >= self.attempt_seconds


UNLIMITED = TimeBudget(lambda: float("inf"), 0.0)


# --- Collaborators ------------------------------------------------------------------------------


class DinApi(Protocol):
    """What provisioning needs from XOXZO (xoxzo_din.xoxzo_api.XoxzoClient has exactly this)."""

    def search(self, *, country: str | None = None, prefix: str | None = None) -> list[AvailableDin]: ...
    def subscribe(self, din_uid: str) -> Subscription: ...
    def list_subscriptions(self) -> list[Subscription]: ...
    def set_action_url(self, din_uid: str, action_url: str) -> None: ...
    def cancel(self, din_uid: str) -> None: ...


class RoutesWriter(Protocol):
    def ensure_default_route(self, number: str, now: str) -> bool:
        """Create the number's default route unless it has one; True when it was created."""
        ...

    def has_routes(self, number: str) -> bool: ...
    def delete_routes(self, number: str) -> int:
        """Delete every route item of the number; return how many there were."""
        ...


class DynamoDbRoutesWriter:
    """The few writes provisioning makes to the routes table (env ROUTES_TABLE_NAME)."""

    def __init__(self, table: Table) -> None:
        self._table = table

    @classmethod
    def from_environment(cls) -> DynamoDbRoutesWriter:
        return cls(boto3.resource("dynamodb").Table(os.environ[ROUTES_TABLE_ENV]))

    def ensure_default_route(self, number: str, now: str) -> bool:
        try:
            self._table.put_item(
                Item=new_number_default_item(number, now),
                # Never overwrite a default someone already wrote by hand.
                ConditionExpression=Attr(NUMBER).not_exists(),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def has_routes(self, number: str) -> bool:
        page = self._table.query(KeyConditionExpression=Key(NUMBER).eq(number), Limit=1, ConsistentRead=True)
        return bool(page.get("Items"))

    def delete_routes(self, number: str) -> int:
        keys: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key(NUMBER).eq(number),
            "ProjectionExpression": "#number, #rule_id",
            "ExpressionAttributeNames": {"#number": NUMBER, "#rule_id": RULE_ID},
            "ConsistentRead": True,
        }
        while True:
            page = self._table.query(**kwargs)
            keys.extend({NUMBER: item[NUMBER], RULE_ID: item[RULE_ID]} for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        with self._table.batch_writer() as batch:
            for key in keys:
                batch.delete_item(Key=key)
        return len(keys)


def _raise_if_problems(problems: list[str]) -> None:
    if problems:
        raise InvalidRequestError(problems)


# --- Input checks (each appends every problem it finds) -----------------------------------------


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


def redact_url(url: str | None) -> str | None:
    """Hide the secret last path segment of an action URL in answers and logs."""
    if not url:
        return url
    head, slash, last = url.rstrip("/").rpartition("/")
    if not slash or len(last) < 12:
        return url
    return f"{head}/{last[:4]}***"


def _url_parts(url: str) -> tuple[str, str, int | None, str] | None:
    """scheme, host, port and path (without a trailing slash) of a URL; None if it is not one."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS.get(scheme), parts.path.rstrip("/")


def points_here(url: str, action_url: str | None) -> bool:
    """Whether a number's action URL at XOXZO is this stack's (`action_url`, its ACTION_URL):
    - the same scheme, host, port and path but for the last segment, the secret (so a rotated
      secret counts), or that path without any secret (the stack's `ActionUrl` output pasted as is);
    - or any URL ending in this stack's secret: the same stack re-created (a new API id) with the
      secret it was told to keep. A secret is at least 32 random characters: no other stack's."""
    mine = _url_parts(action_url) if action_url else None
    theirs = _url_parts(url)
    if mine is None or theirs is None:
        return False
    api_path, _, secret = mine[3].rpartition("/")
    if theirs[:3] == mine[:3] and (theirs[3] == api_path or theirs[3].rpartition("/")[0] == api_path):
        return True
    return len(secret) >= MIN_SECRET_LENGTH and theirs[3].rpartition("/")[2] == secret


def _host_of(url: str | None) -> str:
    if not url:
        return "(no action URL)"
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    return host or "(unreadable URL)"


def adopt_hint(din_uid: str) -> str:
    return f'to take it over, run sync with "adopt": ["{din_uid}"]'


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


# --- Results (JSON-able via dataclasses.asdict) ------------------------------------------------


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

    def entries(self) -> int:
        """How many numbers the report says something about (a number it adds none to is in sync)."""
        return len(self.actions) + len(self.errors) + len(self.pending) + len(self.foreign)


# --- The life cycle ----------------------------------------------------------------------------


class Provisioner:
    def __init__(
        self,
        *,
        numbers: NumbersStore,
        routes: RoutesWriter,
        action_url: str | None,
        client: DinApi | None = None,
        client_factory: Callable[[], DinApi] | None = None,
        clock: Clock = utc_now,
        subscribe_grace: timedelta = SUBSCRIBE_GRACE,
        budget: TimeBudget = UNLIMITED,
    ) -> None:
        """Give `client`, or `client_factory` to defer building it (and fetching credentials) until
        XOXZO is really called: invalid requests and "nothing to do" answers then work even with
        the placeholder secret of a first deploy. `budget` is the invocation's time for XOXZO calls
        (give the client the same deadline)."""
        if (client is None) == (client_factory is None):
            raise TypeError("give exactly one of client and client_factory")
        self._client = client
        self._client_factory = client_factory
        self._numbers = numbers
        self._routes = routes
        self._action_url = action_url
        self._clock = clock
        self._subscribe_grace = subscribe_grace
        self._budget = budget

    @property
    def client(self) -> DinApi:
        if self._client is None:
            assert self._client_factory is not None  # noqa: S101  (one of them is set)
            self._client = self._client_factory()
        return self._client

    def _now(self) -> str:
        return iso(self._clock())

    # search ----------------------------------------------------------------------------------

    def search(self, country: str | None = None, prefix: str | None = None) -> SearchResult:
        problems: list[str] = []
        country = check_country(country, problems)
        prefix = check_prefix(prefix, problems)
        _raise_if_problems(problems)
        found = self.client.search(country=country, prefix=prefix)
        numbers = [_available_number(din) for din in found]
        return SearchResult(country=country, prefix=prefix, count=len(numbers), numbers=numbers)

    # subscribe -------------------------------------------------------------------------------

    def subscribe(self, din_uid: str) -> SubscribeResult:
        problems: list[str] = []
        check_din_uid(din_uid, problems)
        _raise_if_problems(problems)

        existing = self._numbers.get(din_uid)
        if existing is not None and existing.status is NumberStatus.ACTIVE:
            # Ours already: subscribe nothing, only finish steps 4-6 if a crash left them undone.
            return self._finish_subscription(existing, "already_held")

        at_xoxzo = _by_din_uid(self.client.list_subscriptions()).get(din_uid)
        if at_xoxzo is not None:
            return self._adopt(din_uid, at_xoxzo, existing)

        if existing is not None:
            self._refuse_unfinished(existing)

        offered = _by_din_uid(self.client.search()).get(din_uid)
        if offered is None:
            raise NotAvailableError(
                f"{din_uid} is not in XOXZO's list of available numbers: nothing was subscribed "
                "(search again for a din_uid)"
            )

        # Never write an intent that the POST has no time to follow.
        self._require_time(f"subscribe {din_uid}: nothing was subscribed")

        # (1) Intent first: from here on, a crash leaves a record that sync resolves.
        now = self._now()
        intent = NumberRecord(
            din_uid=din_uid,
            status=NumberStatus.SUBSCRIBING,
            updated_at=now,
            number=to_e164(offered.number),
            monthly_cost=offered.monthly_cost,
            minute_cost=offered.minute_cost,
            country_code=offered.country_code,
            prefix=offered.prefix,
            note=f"subscribe requested at {now}",
            created_at=existing.created_at if existing and existing.created_at else now,
            # Subscribing a number we cancelled before: its last cancellation stays on record.
            previous_cancelled_at=(existing.cancelled_at or existing.previous_cancelled_at)
            if existing
            else None,
        )
        try:
            if existing is None:
                self._numbers.create(intent)
            else:
                self._numbers.replace_record(intent, existing)
        except RecordChangedError as error:
            raise ConflictError(
                f"another operation on {din_uid} started meanwhile; nothing was subscribed ({error})"
            ) from error

        # (2) The POST. The client itself looks at the subscription list after an ambiguous failure.
        try:
            subscription = self.client.subscribe(din_uid)
        except XoxzoOutcomeUnknownError as error:
            # Also when the time budget cut the retries short: the answer says so, sync settles it.
            raise OutcomeUnknownError(
                f"XOXZO did not answer the subscribe of {din_uid} ({error}); it may or may not be "
                "subscribed. The record stays 'subscribing': run sync to settle it (never subscribe "
                "again blindly)."
            ) from error
        except XoxzoUnavailableError as error:
            # No answer was lost: every attempt was refused (429) or none was sent, so nothing
            # was subscribed and the subscribe may be tried again at once.
            self._numbers.mark_failed(din_uid, now=self._now(), note=f"not subscribed: {error}")
            raise
        except XoxzoApiError as error:
            # A definite refusal (4xx): nothing was subscribed, nothing is billed.
            self._numbers.mark_failed(
                din_uid, now=self._now(), note=f"XOXZO refused the subscribe: HTTP {error.status}"
            )
            raise

        # (3) Active: the subscription is the truth, whatever happens next. From here on the number
        # is billed, and a failure of ours says so.
        subscribed_at = self._now()
        number = to_e164(subscription.number) or intent.number
        with _after_subscription(
            din_uid, "subscribed", "marking it active here (the record says 'subscribing')"
        ):
            self._numbers.mark_active(
                din_uid, now=subscribed_at, note="subscribed", number=number, subscribed_at=subscribed_at
            )
        record = intent.with_changes(status=NumberStatus.ACTIVE, number=number, subscribed_at=subscribed_at)
        return self._finish_subscription(record, "subscribed")

    def _refuse_unfinished(self, existing: NumberRecord) -> None:
        """Our record shows an operation that may still be running: never POST on top of it."""
        if existing.status is NumberStatus.SUBSCRIBING and not self._is_stale(existing):
            raise ConflictError(
                f"a subscribe of {existing.din_uid} started at {existing.updated_at} and may still be "
                f"running; try again after {int(self._subscribe_grace.total_seconds())} s, or run sync"
            )
        if existing.status is NumberStatus.CANCELLING:
            raise ConflictError(
                f"a cancel of {existing.din_uid} is unfinished; run sync first, then subscribe again"
            )
        # A stale subscribe intent that XOXZO never got, or a failed / cancelled / missing number:
        # subscribing again is a fresh start (the intent write is conditional on this record).

    def _adopt(self, din_uid: str, at_xoxzo: Subscription, existing: NumberRecord | None) -> SubscribeResult:
        """XOXZO already has the subscription (a crash after the POST, or the dashboard): record it.
        Not if it is another stack's (ForeignNumberError): taking it over is sync's `adopt`."""
        self._refuse_foreign(din_uid, existing, at_xoxzo, "subscribed, adopted or re-pointed", named=True)
        now = self._now()
        number = to_e164(at_xoxzo.number) or (existing.number if existing else None)
        note = "already subscribed at XOXZO: adopted without subscribing again"
        if existing is None:
            record = NumberRecord(
                din_uid=din_uid,
                status=NumberStatus.ACTIVE,
                updated_at=now,
                number=number,
                action_url=at_xoxzo.action_url,
                note=note,
                created_at=now,
                **_details(at_xoxzo),
            )
            with _after_subscription(din_uid, "adopted", "recording it here"):
                self._create_or_conflict(record)
        else:
            # subscribed_at stays unknown unless the intent time is all we know: keep what we had.
            # Written only if the record is still the one read above (a cancel may be running: a
            # Conflict, not an incomplete subscribe).
            with _after_subscription(din_uid, "adopted", "marking it active here"):
                try:
                    current = self._numbers.mark_active(
                        din_uid,
                        now=now,
                        note=note,
                        number=number,
                        seen=existing,
                        details=_details(at_xoxzo, existing),
                    )
                    if at_xoxzo.action_url != existing.action_url and at_xoxzo.action_url is not None:
                        current = self._numbers.record_action_url(
                            din_uid, now=now, action_url=at_xoxzo.action_url, seen=current
                        )
                except RecordChangedError as error:
                    raise ConflictError(
                        f"{din_uid} changed meanwhile; nothing was subscribed, run the operation again "
                        f"({error})"
                    ) from error
            # What XOXZO has decides whether the action URL must still be set.
            record = current.with_changes(action_url=at_xoxzo.action_url)
        return self._finish_subscription(record, "adopted")

    def _finish_subscription(self, record: NumberRecord, outcome: str) -> SubscribeResult:
        """Steps 4-6 for an active number: point it here, record that, give it a default route.

        XOXZO failing to set the action URL is a warning; a failure of our own writes is
        SubscribedIncompletelyError, naming the step."""
        din_uid = record.din_uid
        warnings: list[str] = []
        action_url_set = False
        if self._action_url is None:
            warnings.append("no action URL configured (ACTION_URL): the number is not pointed anywhere")
        elif record.action_url != self._action_url:
            try:
                self.client.set_action_url(din_uid, self._action_url)  # (4)
            except XoxzoError as error:
                warnings.append(f"action URL not set at XOXZO ({error}); run set-action-url or sync")
            else:
                with _after_subscription(din_uid, outcome, "recording its action URL (XOXZO has it)"):
                    self._numbers.record_action_url(din_uid, now=self._now(), action_url=self._action_url)
                action_url_set = True  # (5)
        default_route_created = False
        if record.number is None:
            warnings.append("XOXZO did not give the number: no default route created; run sync later")
        else:
            with _after_subscription(din_uid, outcome, "creating its default route"):
                default_route_created = self._routes.ensure_default_route(record.number, self._now())  # (6)
        with _after_subscription(din_uid, outcome, "reading its record back (every step was done)"):
            final = self._numbers.get(din_uid)
        return SubscribeResult(
            outcome=outcome,
            din_uid=record.din_uid,
            number=record.number,
            action_url_set=action_url_set,
            default_route_created=default_route_created,
            warnings=warnings,
            record=NumberView.of(final) if final else None,
        )

    # list ------------------------------------------------------------------------------------

    def list_numbers(self) -> ListResult:
        records = {record.din_uid: record for record in self._numbers.all()}
        subscriptions = _by_din_uid(self.client.list_subscriptions())
        listings = [
            self._listing(din_uid, records.get(din_uid), subscriptions.get(din_uid))
            for din_uid in sorted(subscriptions.keys() | records.keys())
        ]
        listings.sort(key=lambda listing: (listing.number or "", listing.din_uid))
        return ListResult(
            numbers=listings,
            count=len(listings),
            drift_count=sum(1 for listing in listings if listing.drift),
        )

    def _listing(
        self, din_uid: str, record: NumberRecord | None, at_xoxzo: Subscription | None
    ) -> NumberListing:
        drift: list[str] = []
        if at_xoxzo is not None and record is None:
            drift.append("only_at_xoxzo")
        if at_xoxzo is None and record is not None and record.status in HELD_STATUSES:
            drift.append("only_ours")
        if at_xoxzo is not None and record is not None:
            if record.status is not NumberStatus.ACTIVE:
                drift.append("status_mismatch")
            if at_xoxzo.action_url != record.action_url:
                drift.append("action_url_differs")
        if at_xoxzo is not None and self._action_url and at_xoxzo.action_url != self._action_url:
            drift.append("action_url_not_this_stack")
        number = (record.number if record else None) or (to_e164(at_xoxzo.number) if at_xoxzo else None)
        return NumberListing(
            din_uid=din_uid,
            number=number,
            status=str(record.status) if record else None,
            at_xoxzo=at_xoxzo is not None,
            action_url_at_xoxzo=redact_url(at_xoxzo.action_url) if at_xoxzo else None,
            action_url_recorded=redact_url(record.action_url) if record else None,
            drift=drift,
            subscribed_at=record.subscribed_at if record else None,
            cancelled_at=record.cancelled_at if record else None,
            monthly_cost=record.monthly_cost if record else None,
            note=record.note if record else None,
        )

    # set-action-url --------------------------------------------------------------------------

    def set_action_url(
        self,
        din_uid: str | None = None,
        *,
        all_numbers: bool = False,
        action_url: str | None = None,
    ) -> SetActionUrlResult:
        """Point one active number (or all of them) at `action_url` (default: this stack's).

        For one number, a XOXZO error is raised; for all, each failure is reported and the rest go
        on. A number is not started without time for one XOXZO attempt: it is reported `skipped`.
        """
        problems: list[str] = []
        if all_numbers and din_uid is not None:
            problems.append("give either din_uid or all=true, not both")
        elif not all_numbers:
            check_din_uid(din_uid, problems, "din_uid (or all=true)")
        url = check_action_url(action_url, problems) or self._action_url
        if url is None and action_url is None:
            problems.append("action_url is required: this stack has no ACTION_URL configured")
        _raise_if_problems(problems)
        assert url is not None  # noqa: S101  (checked above)

        if all_numbers:
            targets = self._numbers.active()
        else:
            assert din_uid is not None  # noqa: S101  (checked above)
            record = self._numbers.get(din_uid)
            if record is None or record.status is not NumberStatus.ACTIVE:
                status = record.status if record else "no record"
                raise NotHeldError(
                    f"{din_uid} is not an active number of ours ({status}); run sync to import numbers "
                    "subscribed at XOXZO"
                )
            targets = [record]

        outcomes: list[PointOutcome] = []
        for record in targets:
            if not self._budget.has_time():
                outcomes.append(
                    PointOutcome(record.din_uid, record.number, "skipped", "no time left in this invocation")
                )
                continue
            try:
                self.client.set_action_url(record.din_uid, url)
                self._numbers.record_action_url(record.din_uid, now=self._now(), action_url=url)
            except (XoxzoError, RecordChangedError) as error:
                if not all_numbers:
                    raise
                outcomes.append(PointOutcome(record.din_uid, record.number, "failed", _describe(error)))
                continue
            outcomes.append(PointOutcome(record.din_uid, record.number, "set"))
        return SetActionUrlResult(
            action_url=redact_url(url),
            numbers=outcomes,
            set_count=sum(1 for outcome in outcomes if outcome.outcome == "set"),
            failed_count=sum(1 for outcome in outcomes if outcome.outcome == "failed"),
            skipped_count=sum(1 for outcome in outcomes if outcome.outcome == "skipped"),
        )

    # cancel ----------------------------------------------------------------------------------

    def cancel(self, din_uid: str, *, confirm: str | None, delete_routes: bool = False) -> CancelResult:
        """Cancel at XOXZO after an explicit confirmation (the din_uid or the number, again)."""
        problems: list[str] = []
        check_din_uid(din_uid, problems)
        if not isinstance(confirm, str) or not confirm.strip():
            problems.append("confirm is required: repeat the din_uid or the number to cancel")
        _raise_if_problems(problems)
        assert confirm is not None  # noqa: S101  (checked above)

        record = self._numbers.get(din_uid)
        _check_confirmation(din_uid, confirm, record)
        if record is not None and record.status is NumberStatus.CANCELLED:
            deleted = self._delete_routes(record.number) if delete_routes else 0
            return CancelResult("already_cancelled", din_uid, record.number, deleted, NumberView.of(record))
        if record is not None and record.status is NumberStatus.FAILED:
            raise NotHeldError(
                f"{din_uid} was never subscribed (status failed); run sync if XOXZO has it after all"
            )
        if record is not None and record.status is NumberStatus.SUBSCRIBING:
            raise ConflictError(f"the subscribe of {din_uid} is unfinished; run sync first, then cancel")

        self._require_time(f"cancel {din_uid}: nothing was cancelled")
        # The client (and its credentials) BEFORE the intent: a placeholder or unreadable secret must
        # not leave a `cancelling` record behind for a DELETE that was never sent.
        client = self.client
        number, status_before = self._record_cancel_intent(din_uid, record)
        try:
            client.cancel(din_uid)
            outcome, note = "cancelled", "cancelled"
        except XoxzoNotFoundError:
            outcome, note = "already_gone", "XOXZO answered 404 to the cancel: already gone there"
        except XoxzoUnavailableError as error:
            raise OutcomeUnknownError(
                f"XOXZO did not answer the cancel of {din_uid} ({error}); the record stays "
                "'cancelling': run cancel again, or sync to settle it"
            ) from error
        except XoxzoApiError as error:
            # A definite refusal: nothing was cancelled, the number is held as before.
            self._numbers.revert_cancelling(
                din_uid,
                now=self._now(),
                status=status_before,
                note=f"XOXZO refused the cancel: HTTP {error.status}",
            )
            raise
        # XOXZO no longer bills the number: from here on, a failure of ours says so.
        cancelled_at = self._now()
        with _after_cancel(din_uid, outcome, "recording it here", "the record says 'cancelling': run sync"):
            self._numbers.mark_cancelled(din_uid, now=cancelled_at, cancelled_at=cancelled_at, note=note)
        deleted = 0
        if delete_routes:
            with _after_cancel(
                din_uid,
                outcome,
                "deleting its routes",
                "it is recorded as cancelled: run cancel again with delete_routes true",
            ):
                deleted = self._delete_routes(number)
        with _after_cancel(din_uid, outcome, "reading its record back", "every step was done"):
            final = self._numbers.get(din_uid)
        return CancelResult(outcome, din_uid, number, deleted, NumberView.of(final) if final else None)

    def _record_cancel_intent(
        self, din_uid: str, record: NumberRecord | None
    ) -> tuple[str | None, NumberStatus]:
        """Write `cancelling` before the DELETE; return the number and the status to go back to if
        XOXZO refuses."""
        now = self._now()
        if record is None:
            # Not recorded here: XOXZO must have it, and we keep a record of everything we cancel.
            at_xoxzo = _by_din_uid(self.client.list_subscriptions()).get(din_uid)
            if at_xoxzo is None:
                raise NotHeldError(f"{din_uid} is neither recorded here nor subscribed at XOXZO")
            self._refuse_foreign(din_uid, None, at_xoxzo, "cancelled")
            self._require_time(f"cancel {din_uid}: nothing was cancelled")  # the list took some
            number = to_e164(at_xoxzo.number)
            self._create_or_conflict(
                NumberRecord(
                    din_uid=din_uid,
                    status=NumberStatus.CANCELLING,
                    updated_at=now,
                    number=number,
                    action_url=at_xoxzo.action_url,
                    note=f"cancel requested at {now} for a number not recorded here",
                    created_at=now,
                    **_details(at_xoxzo),
                )
            )
            return number, NumberStatus.ACTIVE
        if record.status is NumberStatus.CANCELLING:
            return record.number, NumberStatus.ACTIVE  # a retried cancel: XOXZO still had it
        if record.status is NumberStatus.MISSING_AT_XOXZO:
            # We no longer hold it: if XOXZO lists it again, it may be someone else's by now.
            at_xoxzo = _by_din_uid(self.client.list_subscriptions()).get(din_uid)
            if at_xoxzo is not None:
                self._refuse_foreign(din_uid, record, at_xoxzo, "cancelled")
            self._require_time(f"cancel {din_uid}: nothing was cancelled")  # the list took some
        try:
            self._numbers.mark_cancelling(din_uid, now=now, previous=record)
        except RecordChangedError as error:
            raise ConflictError(f"{din_uid} changed meanwhile; nothing was cancelled ({error})") from error
        return record.number, record.status

    def _delete_routes(self, number: str | None) -> int:
        return self._routes.delete_routes(number) if number else 0

    # sync ------------------------------------------------------------------------------------

    def sync(self, adopt: Collection[str] | None = None) -> SyncReport:
        """Make our records and XOXZO agree, without ever subscribing or cancelling anything.

        A number XOXZO lists that is not ours (no record here, or a record that does not hold it) is
        imported and pointed here only if its action URL is this stack's (`points_here`; an empty
        one only with a record): any other is most likely another stack's on a shared XOXZO
        account, and is only reported (`foreign`), unless its din_uid is in `adopt` (an explicit
        take-over)."""
        problems: list[str] = []
        adopting = check_adopt(adopt, problems)
        _raise_if_problems(problems)
        # Our records first, XOXZO second: a subscribe that completes in between then shows up at
        # XOXZO (and is settled), instead of an active record XOXZO seems not to have.
        records = {record.din_uid: record for record in self._numbers.all()}
        subscriptions = _by_din_uid(self.client.list_subscriptions())
        report = SyncReport(at_xoxzo=len(subscriptions), recorded=len(records))
        for din_uid in sorted(subscriptions.keys() | records.keys()):
            record, at_xoxzo = records.get(din_uid), subscriptions.get(din_uid)
            before = report.entries()
            try:
                if at_xoxzo is not None and self._is_foreign(record, at_xoxzo):
                    if din_uid in adopting:
                        self._sync_subscribed(
                            din_uid, record, at_xoxzo, report, taken_from=_host_of(at_xoxzo.action_url)
                        )
                    else:
                        report.foreign.append(
                            ForeignNumber(
                                din_uid=din_uid,
                                number=(record.number if record else None) or to_e164(at_xoxzo.number),
                                status=str(record.status) if record else None,
                                points_to=_host_of(at_xoxzo.action_url),
                                hint=adopt_hint(din_uid),
                            )
                        )
                elif at_xoxzo is not None:
                    self._sync_subscribed(din_uid, record, at_xoxzo, report)
                elif record is not None:
                    self._sync_not_subscribed(record, report)
            except (RecordChangedError, ConflictError) as error:
                # Someone changed the record since sync read it: its decision is not written. A
                # later sync decides on the new state.
                number = record.number if record else None
                report.errors.append(SyncAction(din_uid, number, "conflict", _describe(error)))
            except XoxzoError as error:
                number = record.number if record else None
                report.errors.append(SyncAction(din_uid, number, "error", _describe(error)))
            if report.entries() == before:
                report.in_sync += 1
        for din_uid in sorted(adopting - subscriptions.keys()):
            record = records.get(din_uid)
            report.pending.append(
                SyncAction(
                    din_uid,
                    record.number if record else None,
                    "adopt_not_found",
                    "XOXZO does not list it on this account: nothing was taken over",
                )
            )
        return report

    def _sync_subscribed(
        self,
        din_uid: str,
        record: NumberRecord | None,
        at_xoxzo: Subscription,
        report: SyncReport,
        *,
        taken_from: str | None = None,
    ) -> None:
        """XOXZO has it, and it is ours (or `taken_from` that host, as `adopt` asked): our record
        must say active.

        Every write is conditional on the record being the version sync read (`current` follows
        sync's own writes): a cancel or subscribe that ran since is never overwritten, it raises
        RecordChangedError, reported as a conflict."""
        now = self._now()
        number = (record.number if record else None) or to_e164(at_xoxzo.number)
        current: NumberRecord
        taken = f"; taken over as asked (adopt), it pointed at {taken_from}" if taken_from else ""
        if record is None:
            current = self._create_or_conflict(
                NumberRecord(
                    din_uid=din_uid,
                    status=NumberStatus.ACTIVE,
                    updated_at=now,
                    number=number,
                    action_url=at_xoxzo.action_url,
                    note=f"imported by sync at {now} (subscribed at XOXZO, no record here{taken})",
                    created_at=now,
                    **_details(at_xoxzo),
                )
            )
            report.actions.append(
                SyncAction(
                    din_uid,
                    number,
                    "adopted" if taken_from else "imported",
                    f"subscribed at XOXZO, no record here{taken}",
                )
            )
        elif record.status is NumberStatus.CANCELLING:
            if not self._is_stale(record):
                report.pending.append(
                    SyncAction(
                        din_uid,
                        number,
                        "cancel_unfinished",
                        f"a cancel was requested at {record.updated_at} and XOXZO still has the number: "
                        "it may still be running (a later sync settles it), or run cancel again",
                    )
                )
                return
            # No invocation is running it any more, and XOXZO still bills the number: the DELETE
            # never reached XOXZO (or was refused). Active again, as XOXZO has it.
            current = self._numbers.mark_active(
                din_uid,
                now=now,
                note=(
                    f"the cancel requested at {record.updated_at} never took effect: XOXZO still has it "
                    f"(settled by sync at {now})"
                ),
                number=number,
                seen=record,
                details=_details(at_xoxzo, record),
            )
            report.actions.append(
                SyncAction(
                    din_uid,
                    number,
                    "cancel_abandoned",
                    f"a cancel intent of {record.updated_at} XOXZO never applied: marked active again "
                    "(still billed; run cancel again to cancel it)",
                )
            )
        elif record.status is NumberStatus.SUBSCRIBING:
            current = self._numbers.mark_active(
                din_uid,
                now=now,
                note="subscribe completed by sync",
                number=number,
                subscribed_at=now,
                seen=record,
                details=_details(at_xoxzo, record),
            )
            report.actions.append(
                SyncAction(din_uid, number, "subscribe_completed", "XOXZO has it: marked active")
            )
        elif record.status is not NumberStatus.ACTIVE:
            was = f"was {record.status}" + (
                f", cancelled at {record.cancelled_at}" if record.cancelled_at else ""
            )
            current = self._numbers.mark_active(
                din_uid,
                now=now,
                note=f"found subscribed at XOXZO by sync ({was}{taken})",
                number=number,
                seen=record,
                details=_details(at_xoxzo, record),
            )
            report.actions.append(
                SyncAction(din_uid, number, "reactivated", f"{was}, but XOXZO has it (billed){taken}")
            )
        else:
            current = record

        current = self._sync_action_url(current, number, at_xoxzo, report)
        self._sync_default_route(current, number, report)

    def _sync_action_url(
        self, current: NumberRecord, number: str | None, at_xoxzo: Subscription, report: SyncReport
    ) -> NumberRecord:
        """Point the number here at XOXZO if it is not, or record what XOXZO has; return the record
        as written (each write conditional on `current`)."""
        din_uid = current.din_uid
        if self._action_url is not None and at_xoxzo.action_url != self._action_url:
            if not self._budget.has_time():
                report.pending.append(
                    SyncAction(
                        din_uid,
                        number,
                        "action_url_skipped",
                        "no time left in this invocation to set the action URL: run sync again",
                    )
                )
                return current
            self.client.set_action_url(din_uid, self._action_url)
            current = self._numbers.record_action_url(
                din_uid, now=self._now(), action_url=self._action_url, seen=current
            )
            report.actions.append(
                SyncAction(din_uid, number, "action_url_set", f"was {redact_url(at_xoxzo.action_url)}")
            )
        elif current.action_url != at_xoxzo.action_url and at_xoxzo.action_url is not None:
            current = self._numbers.record_action_url(
                din_uid, now=self._now(), action_url=at_xoxzo.action_url, seen=current
            )
            report.actions.append(SyncAction(din_uid, number, "action_url_recorded", "as XOXZO has it"))
        return current

    def _sync_default_route(self, current: NumberRecord, number: str | None, report: SyncReport) -> None:
        """Only numbers without any route get one: someone who deleted the default on purpose (to
        use the global default) keeps it that way."""
        din_uid = current.din_uid
        if number is None:
            report.pending.append(
                SyncAction(din_uid, None, "number_unknown", "XOXZO did not give the number: no route")
            )
        elif not self._routes.has_routes(number):
            # A cancel with delete_routes may have run since sync read the record: the route goes
            # to the routes table, which has no version, so look at the record right before.
            latest = self._numbers.get(din_uid)
            if latest is None or latest.version != current.version:
                raise RecordChangedError(din_uid, f"version {current.version} ({current.status})")
            if self._routes.ensure_default_route(number, self._now()):
                report.actions.append(SyncAction(din_uid, number, "default_route_created", "had no routes"))

    def _sync_not_subscribed(self, record: NumberRecord, report: SyncReport) -> None:
        """XOXZO does not have it: nothing is billed, whatever our record says."""
        now = self._now()
        din_uid, number = record.din_uid, record.number
        if record.status is NumberStatus.ACTIVE:
            self._numbers.mark_missing_at_xoxzo(
                din_uid,
                now=now,
                note=f"XOXZO no longer lists it (found by sync at {now}); not cancelled by us",
                seen=record,
            )
            report.actions.append(
                SyncAction(din_uid, number, "marked_missing_at_xoxzo", "active here, not at XOXZO")
            )
        elif record.status is NumberStatus.SUBSCRIBING:
            if not self._is_stale(record):
                report.pending.append(
                    SyncAction(din_uid, number, "subscribe_in_progress", f"since {record.updated_at}")
                )
                return
            self._numbers.mark_failed(
                din_uid,
                now=now,
                note=f"the subscribe never reached XOXZO (settled by sync at {now})",
                seen=record,
            )
            report.actions.append(
                SyncAction(din_uid, number, "marked_failed", "subscribe intent XOXZO never got")
            )
        elif record.status is NumberStatus.CANCELLING:
            self._numbers.mark_cancelled(
                din_uid,
                now=now,
                cancelled_at=now,
                note="cancel confirmed by sync: XOXZO no longer has it",
                seen=record,
            )
            report.actions.append(SyncAction(din_uid, number, "cancel_completed", "XOXZO no longer has it"))
        # cancelled / failed / missing_at_xoxzo: already agrees with XOXZO.

    # helpers ---------------------------------------------------------------------------------

    def _is_foreign(
        self, record: NumberRecord | None, at_xoxzo: Subscription, *, named: bool = False
    ) -> bool:
        """Not ours to take: no record that holds it, and XOXZO points it at another server. With
        no action URL at all and no record either, it may be another stack's between its
        subscribe and its set-action-url (ours always write their record before the POST): only
        a subscribe naming it (`named`) takes that one."""
        if record is not None and record.status in HELD_STATUSES:
            return False
        if not at_xoxzo.action_url:
            return record is None and not named
        return not points_here(at_xoxzo.action_url, self._action_url)

    def _refuse_foreign(
        self,
        din_uid: str,
        record: NumberRecord | None,
        at_xoxzo: Subscription,
        what: str,
        *,
        named: bool = False,
    ) -> None:
        if not self._is_foreign(record, at_xoxzo, named=named):
            return
        ours = f"our record says {record.status}" if record else "no record here"
        where = (
            f"its action URL points at {_host_of(at_xoxzo.action_url)}, not this stack's API"
            if at_xoxzo.action_url
            else "it has no action URL yet"
        )
        raise ForeignNumberError(
            f"{din_uid} is subscribed on this XOXZO account ({ours}), and {where}: most likely "
            f"another stack's number. Nothing was {what}; {adopt_hint(din_uid)} first"
        )

    def _require_time(self, what: str) -> None:
        """Refuse to start a step that needs XOXZO when not even one attempt fits in the budget."""
        if not self._budget.has_time():
            raise XoxzoUnavailableError(
                f"no time left in this invocation to {what} (nothing was sent to XOXZO)",
                attempts=0,
                last_status=None,
                out_of_time=True,
            )

    def _is_stale(self, record: NumberRecord) -> bool:
        updated = datetime.fromisoformat(record.updated_at)
        return self._clock() - updated > self._subscribe_grace

    def _create_or_conflict(self, record: NumberRecord) -> NumberRecord:
        try:
            return self._numbers.create(record)
        except RecordChangedError as error:
            raise ConflictError(
                f"a record of {record.din_uid} appeared meanwhile; run the operation again ({error})"
            ) from error


class _HasDinUid(Protocol):
    @property
    def din_uid(self) -> str: ...


def _by_din_uid[T: _HasDinUid](items: Iterable[T]) -> dict[str, T]:
    return {item.din_uid: item for item in items}


def _details(at_xoxzo: Subscription, record: NumberRecord | None = None) -> dict[str, Any]:
    """The costs, country code and prefix XOXZO's subscription list gives (when it does) that
    `record` lacks: what an imported or adopted number is recorded with."""
    found = {name: getattr(at_xoxzo, name) for name in DETAIL_FIELDS}
    return {
        name: value
        for name, value in found.items()
        if value is not None and (record is None or getattr(record, name) is None)
    }


def _available_number(din: AvailableDin) -> AvailableNumber:
    return AvailableNumber(
        din_uid=din.din_uid,
        number=to_e164(din.number) or din.number,
        country_code=din.country_code,
        prefix=din.prefix,
        monthly_cost=din.monthly_cost,
        minute_cost=din.minute_cost,
    )


def _check_confirmation(din_uid: str, confirm: str, record: NumberRecord | None) -> None:
    if record is None and confirm.strip() != din_uid:
        raise InvalidRequestError(
            [f"confirm must equal the din_uid {din_uid!r} (there is no record here to check a number)"]
        )
    if record is not None and not _confirms(confirm, record):
        raise InvalidRequestError(
            [
                f"confirm {confirm[:80]!r} matches neither the din_uid {din_uid!r} nor its number "
                f"{record.number!r}"
            ]
        )


def _confirms(confirm: str, record: NumberRecord) -> bool:
    if confirm.strip() == record.din_uid:
        return True
    return record.number is not None and to_e164(confirm) == record.number


@contextmanager
def _after_subscription(din_uid: str, outcome: str, step: str) -> Iterator[None]:
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
def _after_cancel(din_uid: str, outcome: str, step: str, remedy: str) -> Iterator[None]:
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


def _describe(error: Exception) -> str:
    if isinstance(error, XoxzoApiError):
        return f"{type(error).__name__}: HTTP {error.status} on {error.method} {error.path}"
    return f"{type(error).__name__}: {error}"


# --- Requests: direct-invocation events, parsed and checked in one place ------------------------


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
    "set-action-url": frozenset({"din_uid", "all", "action_url"}),
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

    request: Request
    match operation:
        case "search":
            request = SearchRequest(
                check_country(event.get("country"), problems), check_prefix(event.get("prefix"), problems)
            )
        case "subscribe":
            request = SubscribeRequest(check_din_uid(event.get("din_uid"), problems))
        case "list":
            request = ListRequest()
        case "set-action-url":
            all_numbers = check_bool(event.get("all"), problems, "all")
            din_uid = event.get("din_uid")
            if all_numbers and din_uid is not None:
                problems.append("give either din_uid or all=true, not both")
            elif not all_numbers:
                check_din_uid(din_uid, problems, "din_uid (or all=true)")
            action_url = check_action_url(event.get("action_url"), problems)
            request = SetActionUrlRequest(din_uid if not all_numbers else None, all_numbers, action_url)
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
            request = CancelRequest(
                din_uid, confirm, check_bool(event.get("delete_routes"), problems, "delete_routes")
            )
        case _:
            request = SyncRequest(check_adopt(event.get("adopt"), problems))
    _raise_if_problems(problems)
    return request
