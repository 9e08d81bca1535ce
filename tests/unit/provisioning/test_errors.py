"""Error kinds live in one list (ERROR_KINDS): every answer's kind is in it, and
docs/reference/provisioning-operations.md shows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from xoxzo_din.provisioning import errors as provisioning_errors
from xoxzo_din.provisioning.errors import (
    ERROR_KINDS,
    INCOMPLETE_KINDS,
    INTERNAL_ERROR,
    CancelledIncompletelyError,
    ConfigurationError,
    ProvisioningError,
    SubscribedIncompletelyError,
    error_answer,
    is_expected,
    is_incomplete,
)
from xoxzo_din.tables.numbers import RecordChangedError
from xoxzo_din.xoxzo.errors import (
    XoxzoApiError,
    XoxzoAuthError,
    XoxzoCredentialsError,
    XoxzoError,
    XoxzoNotFoundError,
    XoxzoOutcomeUnknownError,
    XoxzoProtocolError,
    XoxzoUnavailableError,
    XoxzoValidationError,
)

ROOT = Path(__file__).resolve().parents[3]


def all_subclasses(cls: type[ProvisioningError]) -> set[type[ProvisioningError]]:
    found: set[type[ProvisioningError]] = set(cls.__subclasses__())
    for sub in list(found):
        found |= all_subclasses(sub)
    return found


def test_every_provisioning_error_kind_is_listed() -> None:
    kinds = {sub.kind for sub in all_subclasses(ProvisioningError)}
    assert kinds >= {"InvalidRequest", "NotHeld", "NotAvailable", "Conflict", "OutcomeUnknown"}
    assert kinds <= set(ERROR_KINDS)


def test_every_kind_the_mapping_writes_is_listed() -> None:
    source = Path(provisioning_errors.__file__).read_text(encoding="utf-8")
    written = set(re.findall(r'_error\(\s*"(\w+)"', source))
    assert written
    assert written <= set(ERROR_KINDS)


class SomeFutureXoxzoError(XoxzoError):
    """A XOXZO client error without a case of its own."""


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ConfigurationError("missing environment variable X"), "ConfigurationError"),
        (RecordChangedError("JPx", "version 1"), "Conflict"),
        (XoxzoCredentialsError("sid is missing"), "CredentialsError"),
        (GetParameterError("no such secret"), "ConfigurationError"),
        (XoxzoAuthError(401, {}, "GET", "/x/"), "XoxzoAuthError"),
        (XoxzoValidationError(400, {}, "POST", "/x/"), "XoxzoValidationError"),
        (XoxzoNotFoundError(404, {}, "DELETE", "/x/"), "XoxzoNotFound"),
        (XoxzoApiError(418, {}, "GET", "/x/"), "XoxzoApiError"),
        (XoxzoUnavailableError("down", attempts=4, last_status=503), "XoxzoUnavailable"),
        (XoxzoOutcomeUnknownError("lost, list 401", attempts=1, last_status=None), "OutcomeUnknown"),
        (XoxzoProtocolError("not JSON"), "XoxzoProtocolError"),
        (SomeFutureXoxzoError("details"), "XoxzoError"),
    ],
)
def test_each_expected_error_has_a_listed_kind_and_is_logged_as_a_warning(
    error: Exception, kind: str
) -> None:
    answer = error_answer(error, secret_id="the-secret-id")

    assert answer["type"] == kind
    assert kind in ERROR_KINDS
    assert is_expected(answer)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (
            SubscribedIncompletelyError("X IS subscribed ...: run sync", outcome="subscribed"),
            "SubscribedIncompletely",
        ),
        (
            CancelledIncompletelyError("X IS cancelled ...: run sync", outcome="cancelled"),
            "CancelledIncompletely",
        ),
    ],
)
def test_an_operation_xoxzo_applied_but_unfinished_here_is_listed_and_logged_as_an_error(
    error: ProvisioningError, kind: str
) -> None:
    answer = error_answer(error, secret_id="s")

    assert answer == {"type": kind, "message": error.message, "problems": []}
    assert kind in ERROR_KINDS and kind in INCOMPLETE_KINDS
    assert "run `sync`" in ERROR_KINDS[kind]
    assert is_incomplete(answer)
    assert not is_expected(answer)  # an error with its stack trace, not a warning


def test_every_incomplete_kind_is_listed() -> None:
    assert set(ERROR_KINDS) >= INCOMPLETE_KINDS


def test_an_unexpected_error_is_internal_and_says_only_its_type() -> None:
    answer = error_answer(KeyError("sid=abc token=xyz"), secret_id="s")

    assert answer == {
        "type": INTERNAL_ERROR,
        "message": "unexpected KeyError; see the function's logs",
        "problems": [],
    }
    assert not is_expected(answer)


def test_the_docs_list_exactly_the_error_kinds_with_their_meaning() -> None:
    page = (ROOT / "docs" / "reference" / "provisioning-operations.md").read_text(encoding="utf-8")
    errors = page[page.index("Error types (`ERROR_KINDS`") :]
    table = errors[errors.index("| type | meaning |") :].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", table, flags=re.MULTILINE)

    assert [kind for kind, _ in rows] == [*ERROR_KINDS, INTERNAL_ERROR]
    assert dict(rows[:-1]) == dict(ERROR_KINDS)
