"""``Client``: any GraphQL operation against a TrackQL gateway."""
from __future__ import annotations

import os
import re
from typing import Any, Dict, Mapping, Optional
from urllib.parse import urlsplit

from ._http import RetryPolicy, Transport

DEFAULT_URL = "http://127.0.0.1:4000"
_MUTATION = re.compile(r"^\s*mutation\b", re.MULTILINE)
_COMMENT = re.compile(r"#[^\n]*")


def graphql_endpoint(url: str) -> str:
    """The ``/graphql`` endpoint of a gateway given by its base URL (``http://host:4000``) or the endpoint itself."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"url must be an http(s) URL such as {DEFAULT_URL}, got {url!r}")
    path = parts.path.rstrip("/")
    if not path.endswith("/graphql"):
        path += "/graphql"
    return f"{parts.scheme}://{parts.netloc}{path}"


def is_mutation(document: str) -> bool:
    """Whether a GraphQL document holds a mutation (whose blind retry could write twice)."""
    return bool(_MUTATION.search(_COMMENT.sub("", document)))


class Client:
    """Talks to one gateway with one API key.

    ``url`` defaults to ``$TRACKQL_URL`` (else ``http://127.0.0.1:4000``) and ``api_key`` to
    ``$TRACKQL_API_KEY``; the key is sent as ``Authorization: Bearer <key>``. ``timeout`` is seconds per
    HTTP attempt; ``retry`` says how failures are retried (see :class:`RetryPolicy`).
    """

    def __init__(self, url: Optional[str] = None, api_key: Optional[str] = None, *, timeout: float = 30.0,
                 retry: Optional[RetryPolicy] = None) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        self.url = graphql_endpoint(url or os.environ.get("TRACKQL_URL") or DEFAULT_URL)
        key = api_key if api_key is not None else os.environ.get("TRACKQL_API_KEY")
        self.transport = Transport(self.url, key or None, timeout, retry or RetryPolicy())

    def query(self, query: str, variables: Optional[Mapping[str, Any]] = None, *,
              retry: Optional[bool] = None) -> Dict[str, Any]:
        """Runs ``query`` (any operation) and returns its ``data``.

        Raises :class:`~trackql.GraphQLError` (``code`` = ``extensions.code``) when the answer has errors, and
        :class:`~trackql.TransportError` when there is no answer. Failures that may have run on the server
        (timeouts, 5xx) are retried for queries, and for mutations only with ``retry=True`` (give the
        mutation an ``idempotencyKey`` first); refused connections and ``RATE_LIMITED`` are always retried.
        """
        unsafe = retry if retry is not None else not is_mutation(query)
        return self.transport.post_graphql(query, variables, retry_unsafe=unsafe)

    def __repr__(self) -> str:
        return f"Client(url={self.url!r})"
