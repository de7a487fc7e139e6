"""One HTTP exchange with the gateway, and the retry loop around it (standard library only)."""
from __future__ import annotations

import email.utils
import http.client
import json
import logging
import random
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, BinaryIO, Callable, Dict, Mapping, Optional, TypeVar

from ._version import __version__
from .errors import (CONNECTION_FAILED, HTTP_ERROR, RATE_LIMITED, TIMEOUT, GraphQLError, JsonObject, RateLimitedError,
                     TrackQLError, TransportError, as_list, as_object)

log = logging.getLogger("trackql")
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How failed calls are retried: exponential backoff with full jitter, within a time budget.

    Delays grow from ``initial_backoff`` doubling up to ``max_backoff`` seconds, each drawn at random below
    that bound (so many clients that failed together do not come back together). A ``Retry-After`` header
    or ``extensions.retryAfter`` is waited out in full. Retries stop after ``max_attempts`` attempts or once
    ``max_elapsed`` seconds have passed since the first one.
    """

    max_attempts: int = 10
    initial_backoff: float = 0.2
    max_backoff: float = 10.0
    max_elapsed: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")
        if self.initial_backoff < 0 or self.max_backoff < self.initial_backoff:
            raise ValueError("backoff must satisfy 0 <= initial_backoff <= max_backoff")

    def delay(self, attempt: int, retry_after: Optional[float]) -> float:
        """Seconds to wait before attempt number ``attempt + 1`` (``attempt`` counts from 1)."""
        bound = min(self.max_backoff, self.initial_backoff * (2 ** (attempt - 1)))
        jittered = random.uniform(0, bound)
        if retry_after is not None and retry_after > 0:
            # The server knows when it will take us again: wait that long, plus a little jitter.
            return retry_after + random.uniform(0, min(1.0, retry_after * 0.1))
        return jittered


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """``Retry-After`` in seconds (it may be a number of seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class _NotSent(TransportError):
    """The request never reached the server (connection refused): safe to retry whatever it was."""


def _decode_error_body(status: int, body: bytes, retry_after: Optional[float]) -> TrackQLError:
    try:
        parsed = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        parsed = None
    answer = as_object(parsed)
    if answer is not None and as_list(answer.get("errors")):
        return _graphql_error(answer, status, retry_after)
    text = body[:200].decode("utf-8", "replace").strip()
    return TransportError(f"HTTP {status}{': ' + text if text else ''}", HTTP_ERROR, status=status, retry_after=retry_after)


def _graphql_error(answer: JsonObject, status: int, retry_after: Optional[float]) -> GraphQLError:
    errors = [e for e in map(as_object, as_list(answer.get("errors"))) if e is not None] or [{"message": "GraphQL error"}]
    code = (as_object(errors[0].get("extensions")) or {}).get("code")
    cls = RateLimitedError if code == RATE_LIMITED else GraphQLError
    return cls(errors, status=status, data=as_object(answer.get("data")), retry_after=retry_after)


def _network_error(exc: BaseException, url: str) -> TransportError:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return TransportError(f"No answer from {url} in time", TIMEOUT)
    if isinstance(reason, ConnectionRefusedError):
        return _NotSent(f"Cannot connect to {url}: connection refused (is the gateway running?)", CONNECTION_FAILED)
    return TransportError(f"Connection to {url} failed: {reason}", CONNECTION_FAILED)


class Transport:
    """Sends requests to one gateway with one API key; every call goes through :meth:`_with_retries`."""

    def __init__(self, graphql_url: str, api_key: Optional[str], timeout: float, retry: RetryPolicy,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.graphql_url = graphql_url
        self._api_key = api_key
        self.timeout = timeout
        self.retry = retry
        self._sleep = sleep

    def _headers(self) -> Dict[str, str]:
        headers = {"User-Agent": f"trackql-python/{__version__}"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def _exchange(self, request: urllib.request.Request) -> Any:
        """One attempt: the decoded JSON answer of a 2xx, or a raised TrackQLError."""
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as err:
            try:
                body = err.read()
            except (OSError, AttributeError, http.client.HTTPException):  # no body, or it was cut
                body = b""
            raise _decode_error_body(err.code, body, parse_retry_after(err.headers.get("Retry-After"))) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            raise _network_error(err, request.full_url.split("?")[0]) from None
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise TransportError(f"HTTP {status}: the answer is not JSON", HTTP_ERROR, status=status) from None

    def _with_retries(self, attempt_once: Callable[[], T], *, retry_unsafe: bool, what: str) -> T:
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return attempt_once()
            except TrackQLError as err:
                # A request that may have run is retried only when it is safe to run twice (an idempotency key,
                # or a read); one that surely did not run (refused connection, 429) always is.
                safe = retry_unsafe or isinstance(err, _NotSent) or err.code == RATE_LIMITED
                if not (err.retryable and safe) or attempt >= self.retry.max_attempts:
                    raise
                wait = self.retry.delay(attempt, err.retry_after)
                if time.monotonic() - started + wait > self.retry.max_elapsed:
                    raise
                log.info("trackql: %s failed (%s), retry %d in %.2f s", what, err, attempt, wait)
                self._sleep(wait)

    def post_graphql(self, query: str, variables: Optional[Mapping[str, Any]], *, retry_unsafe: bool) -> Dict[str, Any]:
        """Runs one GraphQL operation and returns its ``data``; raises GraphQLError when it has ``errors``."""
        payload: Dict[str, Any] = {"query": query}
        if variables:
            payload["variables"] = variables
        # allow_nan=False: JSON has no NaN; metric values travel as null plus a nonFinite twin instead.
        body = json.dumps(payload, allow_nan=False, separators=(",", ":")).encode("utf-8")

        def once() -> Dict[str, Any]:
            headers = {**self._headers(), "Content-Type": "application/json", "Accept": "application/json"}
            request = urllib.request.Request(self.graphql_url, data=body, headers=headers, method="POST")
            answer = as_object(self._exchange(request))
            if answer is None:
                raise TransportError("The answer is not a GraphQL response object", HTTP_ERROR, status=200)
            if answer.get("errors"):
                raise _graphql_error(answer, 200, None)
            return as_object(answer.get("data")) or {}

        return self._with_retries(once, retry_unsafe=retry_unsafe, what="GraphQL request")

    def put_stream(self, url: str, open_body: Callable[[], BinaryIO], size: int) -> Dict[str, Any]:
        """PUTs ``size`` bytes read from a fresh ``open_body()`` stream per attempt; never holds them whole."""

        def once() -> Dict[str, Any]:
            stream = open_body()
            try:
                # No Authorization header: the signed URL carries (sealed) the key it was issued to.
                headers = {"User-Agent": f"trackql-python/{__version__}", "Content-Type": "application/octet-stream",
                           "Content-Length": str(size)}
                # http.client sends a file-like body in blocks as it reads it: memory stays flat.
                request = urllib.request.Request(url, data=stream, headers=headers, method="PUT")
                parsed = self._exchange(request)
            finally:
                stream.close()
            return as_object(parsed) or {}

        return self._with_retries(once, retry_unsafe=True, what="asset upload")
