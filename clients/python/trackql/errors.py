"""Typed errors. Match on ``code`` (the gateway's ``extensions.code``), never on the message.

Codes from the gateway: ``BAD_USER_INPUT``, ``NOT_FOUND``, ``UNAUTHENTICATED``, ``FORBIDDEN``,
``UPSTREAM_UNAVAILABLE``, ``RATE_LIMITED``, ``PAYLOAD_TOO_LARGE``, ``QUERY_TOO_COMPLEX``,
``INTERNAL_SERVER_ERROR``. Codes from this client, for failures that never got a GraphQL answer:
``CONNECTION_FAILED`` (refused, reset, DNS), ``TIMEOUT`` and ``HTTP_ERROR`` (a status without a GraphQL body).
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Union, cast

CONNECTION_FAILED = "CONNECTION_FAILED"
TIMEOUT = "TIMEOUT"
HTTP_ERROR = "HTTP_ERROR"
RATE_LIMITED = "RATE_LIMITED"

#: Codes worth retrying: the request was refused before it ran, or the service was briefly away.
RETRYABLE_CODES = frozenset({CONNECTION_FAILED, TIMEOUT, RATE_LIMITED, "UPSTREAM_UNAVAILABLE"})

PathElement = Union[str, int]
JsonObject = Dict[str, Any]


def as_object(value: object) -> Optional[JsonObject]:
    """``value`` as a JSON object when it is one (decoded JSON is untyped until checked)."""
    return cast(JsonObject, value) if isinstance(value, dict) else None


def as_list(value: object) -> List[Any]:
    return cast(List[Any], value) if isinstance(value, list) else []


class TrackQLError(Exception):
    """Base of every error this package raises for a failed call.

    ``code`` is the stable machine-readable reason; ``status`` the HTTP status when there was one;
    ``extensions`` the first GraphQL error's ``extensions`` (empty for client-side failures).
    """

    def __init__(
        self,
        message: str,
        code: str,
        *,
        status: Optional[int] = None,
        extensions: Optional[Mapping[str, Any]] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.extensions: Dict[str, Any] = dict(extensions or {})
        #: Seconds the gateway asked us to wait (``Retry-After`` / ``extensions.retryAfter``), if any.
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Whether sending the same request again (with the same idempotency key) may succeed."""
        if self.code in RETRYABLE_CODES:
            return True
        return self.status is not None and (self.status >= 500 or self.status == 429)

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class GraphQLError(TrackQLError):
    """The gateway answered with ``errors``. ``errors`` holds all of them; code and message are the first's."""

    def __init__(self, errors: Sequence[Mapping[str, Any]], *, status: Optional[int] = None,
                 data: Optional[Mapping[str, Any]] = None, retry_after: Optional[float] = None) -> None:
        first: Mapping[str, Any] = errors[0] if errors else {}
        ext = as_object(first.get("extensions")) or {}
        code: object = ext.get("code")
        message: object = first.get("message")
        after: object = ext.get("retryAfter")
        if retry_after is None and isinstance(after, (int, float)):
            retry_after = float(after)
        super().__init__(message if isinstance(message, str) else "GraphQL error",
                         code if isinstance(code, str) else "INTERNAL_SERVER_ERROR",
                         status=status, extensions=ext, retry_after=retry_after)
        self.errors: List[JsonObject] = [dict(e) for e in errors]
        self.data: Optional[JsonObject] = dict(data) if data else None
        self.path: Optional[List[PathElement]] = as_list(first.get("path")) or None


class RateLimitedError(GraphQLError):
    """``RATE_LIMITED`` still after every retry; ``retry_after`` says how long the gateway asked to wait."""


class TransportError(TrackQLError):
    """No GraphQL answer: connection refused or cut, timeout, or an HTTP status without a GraphQL body."""
