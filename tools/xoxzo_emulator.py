"""A local emulator of XOXZO's DIN API, for tests and local runs (stdlib only, loopback only).

It serves the documented paths, methods, status codes and DRF-style error bodies
(docs/reference/xoxzo-din-api.md) from an in-memory pool of Japanese numbers, so that both the
official client (xoxzo.cloudpy) and ours can be driven against it:

    GET    /voice/dins/                            ?country=JP  ?prefix=813       200 list
    POST   /voice/dins/subscriptions/              form din_uid                   201 object
    GET    /voice/dins/subscriptions/                                             200 list
    POST   /voice/dins/subscriptions/<din_uid>/    form action_url                200 object
    DELETE /voice/dins/subscriptions/<din_uid>/                                   200 object

Choices where XOXZO's docs are silent (the emulator's, not confirmed facts):
- `prefix=` matches the START OF `din`, i.e. country code + local prefix: "813" = Tokyo 03 numbers,
  "816" = Osaka 06, "8150" = 050 IP numbers, "81" = every Japanese number (consistent with the
  documented example `prefix=813`). It must be digits (else 400).
- `country=` is the ISO 3166 alpha-2 code ("JP"), case-insensitive; an unknown code gives [].
- Both filters may be combined; any other query parameter on /voice/dins/ is a 400
  {"<param>": ["unknown filter"]}.
- A subscription object is {"din_uid", "din", "country_code", "prefix", "monthly_cost",
  "minute_cost", "action": {"url": ...}, "subscribed_at"}; subscribe (201), set action URL (200)
  and cancel (200) all answer it.
- Resolution order is Django's: unknown path -> 404, then auth -> 401, then method -> 405.

For tests: every request is logged (`requests`), faults can be queued per method and path
(`inject_faults`), numbers can be pre-subscribed (`presubscribe`) and the state inspected
(`subscriptions()`, `available()`). All of it is thread-safe.

CLI: python -m tools.xoxzo_emulator --port 8080   (serves until Ctrl-C)
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hmac
import json
import logging
import re
import signal
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger(__name__)

DEFAULT_SID: Final = "local-sid"
DEFAULT_AUTH_TOKEN: Final = "local-token"  # noqa: S105 - a local emulator's well-known default

DINS_PATH: Final = "/voice/dins/"
SUBSCRIPTIONS_PATH: Final = "/voice/dins/subscriptions/"
_SUBSCRIPTION_PATH = re.compile(r"/voice/dins/subscriptions/(?P<din_uid>[^/]+)/")
_KNOWN_FILTERS: Final = frozenset({"country", "prefix"})

FAULT_KINDS: Final = (
    "status",  # answer this status with a DRF-style body; nothing applied
    "timeout-after-apply",  # apply, then hold the answer for `delay` seconds (the client times out)
    "timeout-before-apply",  # hold for `delay` seconds, then close without applying or answering
    "drop-after-apply",  # apply, then close the connection without answering
    "drop-before-apply",  # close the connection without applying or answering
)
_FAULT_ALIASES: Final = {"timeout": "timeout-after-apply"}


# --------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Din:
    """A number of the pool, as GET /voice/dins/ shows it (plus its ISO country for filtering)."""

    din_uid: str
    din: str  # E.164 digits without "+", e.g. "815012345678"
    country: str  # ISO 3166 alpha-2, e.g. "JP"
    country_code: str  # "81"
    prefix: str  # local prefix without the trunk 0: "50", "3", "6"
    monthly_cost: float
    minute_cost: int

    def as_json(self) -> dict[str, Any]:
        return {
            "country_code": self.country_code,
            "din": self.din,
            "din_uid": self.din_uid,
            "minute_cost": self.minute_cost,
            "monthly_cost": self.monthly_cost,
            "prefix": self.prefix,
        }


def _din(din_uid: str, din: str, prefix: str, monthly_cost: float, minute_cost: int = 1) -> Din:
    return Din(din_uid, din, "JP", "81", prefix, monthly_cost, minute_cost)


# A dozen Japanese numbers: 050 IP numbers, Tokyo 03 and Osaka 06.
DEFAULT_POOL: Final[tuple[Din, ...]] = (
    _din("JPafr34rafic76tf", "815012345678", "50", 650.0),
    _din("JPbq7x2mkd94htza", "815012345679", "50", 650.0),
    _din("JPc81vnq5rw0peyd", "815031415926", "50", 650.0),
    _din("JPd2hk6tz9mcq4ub", "815055501234", "50", 650.0),
    _din("JPe5rmw8ya3nvx1f", "815077778888", "50", 650.0),
    _din("JPf9tqz4cb6ksh2g", "815098760001", "50", 650.0),
    _din("JPg3nw7pd5xjl8va", "81345678901", "3", 1300.0, 2),
    _din("JPh6ky2rf8zwm1qc", "81355501234", "3", 1300.0, 2),
    _din("JPi4vb9xs2hdt7ne", "81362709999", "3", 1300.0, 2),
    _din("JPj8mc3gt6pyw5rk", "81612345678", "6", 1100.0, 2),
    _din("JPk1zs5hw4qne9jd", "81655550000", "6", 1100.0, 2),
    _din("JPl7xd2nk8vfa3ms", "81664321098", "6", 1100.0, 2),
)


@dataclass
class _Subscription:
    din: Din
    action_url: str | None
    subscribed_at: str

    def as_json(self) -> dict[str, Any]:
        return {
            **self.din.as_json(),
            "action": {"url": self.action_url},
            "subscribed_at": self.subscribed_at,
        }


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator received it."""

    method: str
    path: str
    query: str  # the raw query string ("" when none)
    form: dict[str, list[str]]  # the parsed body (form-encoded, or a JSON object)
    authorization: str | None  # the raw Authorization header value
    authorized: bool  # whether it carried the right SID/token
    status: int | None  # the status answered (None when the connection was dropped)
    fault: str | None = None  # the injected fault it met, if any
    content_type: str | None = None  # the request's Content-Type header

    @property
    def query_params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)


@dataclass(frozen=True)
class Fault:
    """A fault consumed by the next matching request (see FAULT_KINDS)."""

    kind: str
    status: int | None = None
    retry_after: str | None = None  # Retry-After header value for a status fault
    delay: float | None = None  # overrides the emulator's fault_delay for timeouts

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {FAULT_KINDS}")
        if (self.kind == "status") != (self.status is not None):
            raise ValueError("a status fault needs a status, other faults must not have one")

    @classmethod
    def of(cls, spec: int | str | Fault) -> Fault:
        """503 -> status fault; "timeout" (= "timeout-after-apply") or any kind name; a Fault."""
        if isinstance(spec, Fault):
            return spec
        if isinstance(spec, int):
            return cls("status", status=spec)
        if spec == "drop":
            raise ValueError('say "drop-after-apply" or "drop-before-apply"')
        return cls(_FAULT_ALIASES.get(spec, spec))

    @property
    def label(self) -> str:
        return f"status-{self.status}" if self.kind == "status" else self.kind


@dataclass
class _Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: HTTPStatus, body: dict[str, Any], **headers: str) -> _Answer:
    return _Answer(int(status), body, dict(headers))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


# --------------------------------------------------------------------------------------------------
# The emulator


class XoxzoEmulator:
    """XOXZO's DIN API on 127.0.0.1, in memory. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        sid: str = DEFAULT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        pool: Iterable[Din] = DEFAULT_POOL,
        fault_delay: float = 1.0,
        poll_interval: float = 0.01,
    ) -> None:
        self.host = host
        self.port = port
        self.sid = sid
        self.auth_token = auth_token
        self.fault_delay = fault_delay
        self.poll_interval = poll_interval  # how soon stop() returns
        self._lock = threading.Lock()
        self._pool: dict[str, Din] = {din.din_uid: din for din in pool}  # every number, ours or not
        self._subscriptions: dict[str, _Subscription] = {}
        self._log: list[RecordedRequest] = []
        self._faults: dict[tuple[str, str], deque[Fault]] = {}
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle --------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server((self.host, self.port), _Handler)
        server.emulator = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": self.poll_interval},
            name="xoxzo-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes handlers sleeping in a timeout fault
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def authorization(self) -> str:
        """The Authorization header value a correct client sends."""
        raw = f"{self.sid}:{self.auth_token}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    # ---- test helpers (thread-safe) ---------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    def inject_faults(self, method: str, path: str, faults: Iterable[int | str | Fault]) -> None:
        """Queue faults for `method` `path` (exact path, no query), consumed one per request, in order.

        E.g. inject_faults("POST", "/voice/dins/subscriptions/", [503, "timeout", 429]).
        """
        parsed = [Fault.of(spec) for spec in faults]
        with self._lock:
            self._faults.setdefault((method.upper(), path), deque()).extend(parsed)

    def pending_faults(self) -> dict[tuple[str, str], list[Fault]]:
        """Faults not consumed yet."""
        with self._lock:
            return {key: list(queue) for key, queue in self._faults.items() if queue}

    def presubscribe(self, din_uid: str, action_url: str | None = None) -> dict[str, Any]:
        """Subscribe a pool number directly (no request logged); returns the subscription object."""
        with self._lock:
            if din_uid not in self._pool or din_uid in self._subscriptions:
                raise KeyError(f"{din_uid} is not an available number")
            subscription = _Subscription(self._pool[din_uid], action_url, _now())
            self._subscriptions[din_uid] = subscription
            return subscription.as_json()

    def add_number(self, din: Din) -> None:
        with self._lock:
            self._pool[din.din_uid] = din

    def subscriptions(self) -> list[dict[str, Any]]:
        """The subscription list as GET /voice/dins/subscriptions/ would answer it."""
        with self._lock:
            return [s.as_json() for s in self._subscriptions.values()]

    def available(self) -> list[dict[str, Any]]:
        """The available pool as GET /voice/dins/ would answer it (subscribed numbers excluded)."""
        with self._lock:
            return [d.as_json() for uid, d in self._pool.items() if uid not in self._subscriptions]

    # ---- request handling (called by the handler threads) -----------------------------------------

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get((method, path))
            return queue.popleft() if queue else None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._log.append(request)

    def _is_authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        sid, sep, token = decoded.partition(":")
        return (
            bool(sep)
            and hmac.compare_digest(sid.encode(), self.sid.encode())
            and hmac.compare_digest(token.encode(), self.auth_token.encode())
        )

    def _sleep_for_fault(self, fault: Fault) -> None:
        self._stopping.wait(fault.delay if fault.delay is not None else self.fault_delay)

    def _dispatch(
        self, method: str, path: str, query: str, form: dict[str, list[str]], authorized: bool
    ) -> _Answer:
        """Django's order: resolve the path (404), authenticate (401), check the method (405)."""
        match = _SUBSCRIPTION_PATH.fullmatch(path)
        allowed: tuple[str, ...]
        if path == DINS_PATH:
            allowed = ("GET",)
        elif path == SUBSCRIPTIONS_PATH:
            allowed = ("GET", "POST")
        elif match:
            allowed = ("POST", "DELETE")
        else:
            return _error(HTTPStatus.NOT_FOUND, {"detail": "Not found."})
        if not authorized:
            return _error(
                HTTPStatus.UNAUTHORIZED,
                {"detail": "Invalid username/password."},
                **{"WWW-Authenticate": 'Basic realm="api"'},
            )
        if method not in allowed:
            return _error(
                HTTPStatus.METHOD_NOT_ALLOWED,
                {"detail": f'Method "{method}" not allowed.'},
                Allow=", ".join((*allowed, "OPTIONS")),
            )
        if path == DINS_PATH:
            return self._list_available(parse_qs(query, keep_blank_values=True))
        if path == SUBSCRIPTIONS_PATH:
            return self._list_subscriptions() if method == "GET" else self._subscribe(form)
        assert match is not None  # noqa: S101 - narrowed above
        din_uid = match.group("din_uid")
        return self._set_action_url(din_uid, form) if method == "POST" else self._unsubscribe(din_uid)

    def _list_available(self, query: dict[str, list[str]]) -> _Answer:
        unknown = sorted(set(query) - _KNOWN_FILTERS)
        if unknown:
            return _error(HTTPStatus.BAD_REQUEST, {name: ["unknown filter"] for name in unknown})
        country = query.get("country", [None])[-1]
        prefix = query.get("prefix", [None])[-1]
        if prefix is not None and not prefix.isdigit():
            return _error(HTTPStatus.BAD_REQUEST, {"prefix": ["Enter digits only, e.g. 813."]})
        with self._lock:
            dins = [d for uid, d in self._pool.items() if uid not in self._subscriptions]
        if country is not None:
            dins = [d for d in dins if d.country.upper() == country.upper()]
        if prefix is not None:
            dins = [d for d in dins if d.din.startswith(prefix)]
        return _Answer(int(HTTPStatus.OK), [d.as_json() for d in dins])

    def _list_subscriptions(self) -> _Answer:
        return _Answer(int(HTTPStatus.OK), self.subscriptions())

    def _subscribe(self, form: dict[str, list[str]]) -> _Answer:
        din_uid = form.get("din_uid", [""])[-1]
        if not din_uid:
            return _error(HTTPStatus.BAD_REQUEST, {"din_uid": ["This field is required."]})
        with self._lock:
            din = self._pool.get(din_uid)
            if din is None or din_uid in self._subscriptions:
                return _error(HTTPStatus.BAD_REQUEST, {"din_uid": ["No available DIN has this din_uid."]})
            subscription = _Subscription(din, None, _now())
            self._subscriptions[din_uid] = subscription
            return _Answer(int(HTTPStatus.CREATED), subscription.as_json())

    def _set_action_url(self, din_uid: str, form: dict[str, list[str]]) -> _Answer:
        with self._lock:
            subscription = self._subscriptions.get(din_uid)
            if subscription is None:
                return _error(HTTPStatus.NOT_FOUND, {"detail": "Not found."})
            action_url = form.get("action_url", [""])[-1]
            if not action_url:
                return _error(HTTPStatus.BAD_REQUEST, {"action_url": ["This field is required."]})
            if not _is_http_url(action_url):
                return _error(HTTPStatus.BAD_REQUEST, {"action_url": ["Enter a valid URL."]})
            subscription.action_url = action_url
            return _Answer(int(HTTPStatus.OK), subscription.as_json())

    def _unsubscribe(self, din_uid: str) -> _Answer:
        with self._lock:
            subscription = self._subscriptions.pop(din_uid, None)
        if subscription is None:
            return _error(HTTPStatus.NOT_FOUND, {"detail": "Not found."})
        return _Answer(int(HTTPStatus.OK), subscription.as_json())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    emulator: XoxzoEmulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and closed its socket is expected here; anything else is logged.
        logger.debug("connection error from %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # One write per answer (headers and body together) and no Nagle: no delayed-ACK stalls.
    wbufsize = -1
    disable_nagle_algorithm = True
    server_version = "XoxzoEmulator/1.0"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s - %s", self.address_string(), format % args)

    def _read_form(self) -> dict[str, list[str]]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        if not raw:
            return {}
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        text = raw.decode("utf-8", errors="replace")
        if content_type == "application/json":
            try:
                data = json.loads(text)
            except ValueError:
                return {}
            if not isinstance(data, dict):
                return {}
            return {str(k): [v if isinstance(v, str) else json.dumps(v)] for k, v in data.items()}
        return parse_qs(text, keep_blank_values=True)

    def _handle(self) -> None:
        emulator = self.server.emulator
        method = self.command
        url = urlsplit(self.path)
        path, query = url.path, url.query
        form = self._read_form()
        authorization = self.headers.get("Authorization")
        authorized = emulator._is_authorized(authorization)

        def record(status: int | None, fault: Fault | None) -> None:
            emulator._record(
                RecordedRequest(
                    method=method,
                    path=path,
                    query=query,
                    form=form,
                    authorization=authorization,
                    authorized=authorized,
                    status=status,
                    fault=fault.label if fault else None,
                    content_type=self.headers.get("Content-Type"),
                )
            )

        fault = emulator._take_fault(method, path)
        if fault is not None and fault.kind in ("drop-before-apply", "timeout-before-apply"):
            record(None, fault)
            if fault.kind == "timeout-before-apply":
                emulator._sleep_for_fault(fault)
            self.close_connection = True
            return
        if fault is not None and fault.kind == "status":
            assert fault.status is not None  # noqa: S101 - guaranteed by Fault
            answer = self._fault_answer(fault.status, fault.retry_after)
            record(answer.status, fault)
            self._send(answer)
            return

        answer = emulator._dispatch(method, path, query, form, authorized)
        record(None if fault is not None and fault.kind == "drop-after-apply" else answer.status, fault)
        if fault is not None and fault.kind == "drop-after-apply":
            self.close_connection = True
            return
        if fault is not None and fault.kind == "timeout-after-apply":
            emulator._sleep_for_fault(fault)
            self.close_connection = True
        self._send(answer)

    @staticmethod
    def _fault_answer(status: int, retry_after: str | None) -> _Answer:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            detail = f"Request was throttled. Expected available in {retry_after or '1'} seconds."
            return _Answer(status, {"detail": detail}, headers)
        return _Answer(status, {"detail": phrase}, headers)

    def _send(self, answer: _Answer) -> None:
        payload = json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()


# --------------------------------------------------------------------------------------------------
# CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a local emulator of XOXZO's DIN API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (0 = pick a free one; default 8080)")
    parser.add_argument("--sid", default=DEFAULT_SID, help=f"API SID to accept (default {DEFAULT_SID})")
    parser.add_argument(
        "--auth-token",
        default=DEFAULT_AUTH_TOKEN,
        help=f"auth token to accept (default {DEFAULT_AUTH_TOKEN})",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    emulator = XoxzoEmulator(host=args.host, port=args.port, sid=args.sid, auth_token=args.auth_token)
    # SIGTERM stops it cleanly from the moment it says where it listens (a caller may stop it then).
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    with emulator:
        print(f"XOXZO DIN API emulator on {emulator.base_url}", flush=True)
        print(f"  sid={emulator.sid} auth_token={emulator.auth_token}", flush=True)
        print(f"  {len(emulator.available())} numbers available; Ctrl-C to stop", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
