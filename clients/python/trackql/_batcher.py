"""Background batching of metric points: one sender thread per run, batches sent one at a time, in order.

A batch keeps its idempotency key until the gateway has acknowledged it, so every retry of it — within the
retry loop, or at a later flush after the gateway came back — stores its points exactly once. The next batch
is taken only after that, so each metric's points reach the gateway in the order they were logged.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from typing import Callable, Deque, List, Optional

from ._values import Point
from .errors import TIMEOUT, TrackQLError

log = logging.getLogger("trackql")

SendBatch = Callable[[List[Point], str], None]


class MetricBatcher:
    """Buffers points and sends them every ``batch_size`` points or ``flush_interval`` seconds."""

    def __init__(self, send: SendBatch, batch_size: int, flush_interval: float, thread_name: str) -> None:
        if batch_size < 1 or batch_size > 10_000:
            raise ValueError(f"batch_size must be between 1 and 10000 (the gateway's limit per call), got {batch_size}")
        if flush_interval <= 0:
            raise ValueError(f"flush_interval must be > 0 seconds, got {flush_interval}")
        self._send = send
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self._cond = threading.Condition()
        self._queue: Deque[Point] = deque()
        self._batch: List[Point] = []  # taken from the queue, not yet acknowledged
        self._batch_key = ""
        self._added = 0  # points ever added
        self._settled = 0  # points acknowledged, or given up on after a permanent error
        self._flush_target = 0  # a flush waits until _settled reaches this
        self._errors: List[TrackQLError] = []
        self._error_count = 0
        self._closing = False
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)
        self._thread.start()

    # Called by the run, on the caller's thread.

    def add(self, point: Point) -> None:
        with self._cond:
            if self._closing:
                raise RuntimeError("this run has ended: no more points can be logged")
            self._queue.append(point)
            self._added += 1
            if len(self._queue) >= self.batch_size:
                self._cond.notify_all()

    def take_error(self) -> Optional[TrackQLError]:
        """The oldest error not yet reported (the others were logged when they happened), and forgets them."""
        with self._cond:
            if not self._errors:
                return None
            first = self._errors[0]
            self._errors.clear()
            return first

    @property
    def unsent(self) -> int:
        with self._cond:
            return self._added - self._settled

    def flush(self, timeout: Optional[float] = None) -> None:
        """Sends every point added so far; raises the first error met meanwhile (or any unreported one)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            target = self._added
            errors_before = self._error_count
            self._flush_target = max(self._flush_target, target)
            self._cond.notify_all()
            while self._settled < target and self._error_count == errors_before and self._thread.is_alive():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                self._cond.wait(remaining)
            missing = target - self._settled
        error = self.take_error()
        if error is not None:
            raise error
        if missing > 0:
            raise TrackQLError(f"flush did not finish within {timeout} s: {missing} points are still waiting to be sent", TIMEOUT)

    def close(self, timeout: Optional[float] = None) -> None:
        """Flushes, then stops the sender thread (also when the flush fails, after raising its error)."""
        try:
            self.flush(timeout)
        finally:
            with self._cond:
                self._closing = True
                self._cond.notify_all()
            self._thread.join(timeout=5)

    # The sender thread.

    def _due(self, last_send: float) -> bool:
        if self._flush_target > self._settled or len(self._queue) >= self.batch_size:
            return True
        has_work = bool(self._batch or self._queue)
        return has_work and time.monotonic() - last_send >= self.flush_interval

    def _run(self) -> None:
        last_send = time.monotonic()
        while True:
            with self._cond:
                while not self._closing and not self._due(last_send):
                    self._cond.wait(max(0.01, self.flush_interval - (time.monotonic() - last_send)))
                if self._closing and not self._batch and not self._queue:
                    return
                if self._closing and self._flush_target <= self._settled:
                    return  # closed after a failed flush: the error was raised, the rest stays unsent
                if not self._batch:
                    while self._queue and len(self._batch) < self.batch_size:
                        self._batch.append(self._queue.popleft())
                    self._batch_key = str(uuid.uuid4())
                batch, key = list(self._batch), self._batch_key
            last_send = time.monotonic()
            try:
                self._send(batch, key)
                error: Optional[TrackQLError] = None
            except TrackQLError as err:
                error = err
            except Exception as err:  # a bug must not kill the thread silently: report it as an error
                error = TrackQLError(f"sending metrics failed: {err!r}", "CLIENT_ERROR")
            with self._cond:
                if error is None or not error.retryable:
                    self._settled += len(batch)
                    self._batch = []
                if error is not None:
                    kept = "kept, to be sent again with the same idempotency key" if error.retryable else "dropped"
                    log.warning("trackql: %d metric points not stored (%s): %s", len(batch), kept, error)
                    self._errors.append(error)
                    self._error_count += 1
                    # A failing gateway is not hammered: the next try waits for the interval or the next flush.
                    self._flush_target = min(self._flush_target, self._settled)
                self._cond.notify_all()
