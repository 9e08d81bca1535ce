"""The action URL's secret path segment: the only protection XOXZO's unsigned call-back allows."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

# Secrets shorter than this are ignored: a guessable URL is no protection.
MIN_SECRET_LENGTH = 32


def _digest(value: str) -> bytes:
    # Hashing first makes the comparison independent of the candidate's length too.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def secret_matches(candidate: str, valid_secrets: Iterable[str]) -> bool:
    """Constant-time check of `candidate` against every valid secret (two while rotating)."""
    candidate_digest = _digest(candidate)
    matched = False
    for secret in valid_secrets:
        # No short-circuit: every secret is compared, whichever matches.
        matched |= hmac.compare_digest(candidate_digest, _digest(secret))
    return matched
