"""What doctor's checks are made of (a check's result, the stack's facts gathered once), and the
stack's own checks: the credentials, the global default, the secrets, the credit."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from xoxzo_din.route_checks.check import missing_global_default
from xoxzo_din.routing.actions import Action
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.tables.snapshot import Routes
from xoxzo_din_cli.doctor.web import Response
from xoxzo_din_cli.provisioning_client import OperationError

PASS, WARN, FAIL = "pass", "warn", "fail"
STACK = "(stack)"
# A second (inactive slot's) secret accepted for longer than this is a rotation someone forgot to finish.
ROTATION_DAYS = 7


@dataclass(frozen=True)
class Check:
    number: str  # E.164, or "(stack)" for the stack's own checks
    name: str
    status: str
    reason: str
    fix: str = ""


@dataclass(frozen=True)
class Stack:
    """What doctor knows of the stack, gathered once before the checks."""

    action_base_url: str  # the ActionUrl output: .../action/
    secret: str | None
    previous_secret: str | None
    configured_at: datetime | None  # when the action function's configuration last changed
    listing: dict[str, dict[str, Any]] | None  # number -> list entry; None when list failed
    list_error: OperationError | None
    routes: Routes
    fallback: Action


def stack_checks(stack: Stack, get: Callable[..., Response], now: datetime) -> list[Check]:
    """The stack's own checks, in the order doctor shows them."""
    checks: list[Check] = []
    if stack.list_error is None:
        checks.append(
            Check(STACK, "credentials", PASS, "XOXZO accepted the credentials (the list operation worked)")
        )
    else:
        checks.append(
            Check(STACK, "credentials", FAIL, stack.list_error.sentence(), stack.list_error.next_step)
        )
    global_routes = parse_number_routes(stack.routes.global_items, global_partition=True)
    if (missing := missing_global_default(global_routes)) is not None:
        checks.append(Check(STACK, "global default", FAIL, missing.problem, missing.fix))
    else:
        checks.append(Check(STACK, "global default", PASS, "the item number=*, rule_id=default is readable"))
    checks.append(_wrong_secret(stack, get))
    checks.append(_previous_secret(stack, get, now))
    checks.append(
        Check(
            STACK,
            "credit",
            WARN,
            "cannot be verified: XOXZO's DIN API has no balance endpoint "
            "(docs/reference/xoxzo-din-api.md#credit-and-billing)",
            "check the balance in XOXZO's dashboard",
        )
    )
    return checks


def _wrong_secret(stack: Stack, get: Callable[..., Response]) -> Check:
    wrong = secrets.token_urlsafe(32)
    answer = get(f"{stack.action_base_url}{wrong}?caller=&recipient=0")
    if answer.status in (403, 404):
        # 404: API Gateway has no such route (every route is a secret); 403: the function refused it.
        return Check(STACK, "wrong secret refused", PASS, f"a wrong secret answers {answer.status}")
    return Check(
        STACK,
        "wrong secret refused",
        FAIL,
        f"a wrong secret answered {answer.status or answer.error}",
        "check the API and the ActionSecretA/ActionSecretB parameters",
    )


def _previous_secret(stack: Stack, get: Callable[..., Response], now: datetime) -> Check:
    if not stack.previous_secret:
        return Check(
            STACK, "second secret", PASS, "the inactive slot holds no secret (no rotation under way)"
        )
    answer = get(f"{stack.action_base_url}{stack.previous_secret}?caller=&recipient=0")
    since = stack.configured_at
    accepted = (
        "is still accepted"
        if answer.status == 200
        else f"is set (it answered {answer.status or answer.error})"
    )
    if since is not None and now - since > timedelta(days=ROTATION_DAYS):
        return Check(
            STACK,
            "second secret",
            WARN,
            f"the inactive slot's secret {accepted}, since {since:%Y-%m-%d}: the rotation was never finished",
            "set the inactive slot (ActionSecretA or ActionSecretB) to none once no number uses it",
        )
    return Check(
        STACK, "second secret", PASS, f"the inactive slot's secret {accepted}: a rotation is under way"
    )
