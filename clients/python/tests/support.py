"""What the tests share: reading results back through GraphQL, and a fault-injecting proxy."""
from __future__ import annotations

import http.client
import http.server
import threading
import time
import urllib.request
from typing import Any, Dict, List, Optional, Tuple

import trackql

HISTORY = """query($key: String!, $name: String!, $context: String) {
  experiment(key: $key) { metric(name: $name, context: $context) { count history(first: 10000) { totalCount points { step value nonFinite context epoch } } } }
}"""


def history(client: trackql.Client, key: str, name: str, context: Optional[str] = None) -> List[Dict[str, Any]]:
    """Every stored point of one metric series (of `context`, else the default one), in the gateway's order (step, then timestamp)."""
    data = client.query(HISTORY, {"key": key, "name": name, "context": context})
    metric = data["experiment"]["metric"]
    return [] if metric is None else list(metric["history"]["points"])


def download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def fast_retry(max_elapsed: float = 20.0) -> trackql.RetryPolicy:
    """Retries quick enough for a test, patient enough for a restart."""
    return trackql.RetryPolicy(max_attempts=100, initial_backoff=0.05, max_backoff=0.5, max_elapsed=max_elapsed)


class FaultProxy:
    """An HTTP proxy on loopback in front of a gateway, that misbehaves as told for the first requests.

    ``fail_first``: answer that many POSTs with ``status`` and ``body`` (and ``Retry-After`` when given) without
    forwarding them.
    ``slow_first``: forward that many POSTs, but hold their answers ``delay`` seconds (for client timeouts).
    Both count from the POST number ``after`` (0: the first). ``seen`` records (monotonic time, what happened) and
    ``bodies`` and ``headers`` the request body and headers of each POST.
    """

    def __init__(self, target: str, *, after: int = 0, fail_first: int = 0, status: int = 503, body: bytes = b'{"error":"unavailable"}',
                 retry_after: Optional[str] = None,
                 slow_first: int = 0, delay: float = 0.0) -> None:
        self.target = target.split("://", 1)[1]
        self.after = after
        self.fail_first = fail_first
        self.status = status
        self.body = body
        self.retry_after = retry_after
        self.slow_first = slow_first
        self.delay = delay
        self.seen: List[Tuple[float, str]] = []
        self.bodies: List[bytes] = []
        self.headers: List[Dict[str, str]] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with proxy._lock:
                    n = len(proxy.seen) - proxy.after
                    action = "pass" if n < 0 else "fail" if n < proxy.fail_first else "slow" if n < proxy.fail_first + proxy.slow_first else "pass"
                    proxy.seen.append((time.monotonic(), action))
                    proxy.bodies.append(body)
                    proxy.headers.append({k.lower(): v for k, v in self.headers.items()})
                if action == "fail":
                    payload = proxy.body
                    self.send_response(proxy.status)
                    if proxy.retry_after is not None:
                        self.send_header("Retry-After", proxy.retry_after)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                upstream = http.client.HTTPConnection(proxy.target, timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                upstream.request("POST", self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                upstream.close()
                if action == "slow":
                    time.sleep(proxy.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.getheader("Content-Type", "application/json"))
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as intended

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def actions(self) -> List[str]:
        with self._lock:
            return [a for _, a in self.seen]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
