"""``Run``: one experiment being logged, shaped like the tracking SDKs training code already uses."""
from __future__ import annotations

import atexit
import io
import logging
import os
import threading
import uuid
import weakref
from types import TracebackType
from typing import IO, Any, BinaryIO, Callable, Dict, Iterable, List, Mapping, Optional, Type, Union

from ._batcher import MetricBatcher
from ._http import RetryPolicy
from ._values import Point, json_value, make_point, to_series
from .client import Client
from .errors import TrackQLError, as_object

log = logging.getLogger("trackql")

END_STATUSES = ("FINISHED", "FAILED", "CRASHED")
PathOrFile = Union[str, "os.PathLike[str]", BinaryIO, IO[bytes]]

_CREATE = """mutation TrackqlCreateRun($input: CreateExperimentInput!) {
  createExperiment(input: $input) { experiment { key name url } }
}"""
_LOG_METRICS = """mutation TrackqlLogMetrics($input: LogMetricsInput!) {
  logMetrics(input: $input) { accepted status }
}"""
_LOG_PARAMETERS = """mutation TrackqlLogParameters($input: LogParametersInput!) {
  logParameters(input: $input) { accepted }
}"""
_LOG_OTHERS = """mutation TrackqlLogOthers($input: LogOthersInput!) { logOthers(input: $input) { accepted } }"""
_ADD_TAGS = """mutation TrackqlAddTags($input: TagsInput!) { addTags(input: $input) { tags } }"""
_CREATE_UPLOAD = """mutation TrackqlCreateAssetUpload($input: CreateAssetUploadInput!) {
  createAssetUpload(input: $input) { uploadUrl maxBytes }
}"""
_END = """mutation TrackqlEndRun($input: EndExperimentInput!) { endExperiment(input: $input) { experiment { status } } }"""

# Runs whose points are still buffered, flushed at interpreter exit (the sender threads are daemons).
_open_runs: "weakref.WeakSet[Run]" = weakref.WeakSet()
_exit_hook_lock = threading.Lock()
_exit_hook_installed = False
#: Seconds the exit hook waits for each run's buffered points.
EXIT_FLUSH_TIMEOUT = 30.0


def _flush_at_exit() -> None:
    for run in list(_open_runs):
        try:
            run.flush(timeout=EXIT_FLUSH_TIMEOUT)
        except Exception as err:  # nobody is left to raise to: say it on stderr
            log.error("trackql: run %s: buffered metric points could not be sent at exit: %s", run.key, err)


def _track(run: "Run") -> None:
    global _exit_hook_installed
    with _exit_hook_lock:
        if not _exit_hook_installed:
            atexit.register(_flush_at_exit)
            _exit_hook_installed = True
        _open_runs.add(run)


class _Borrowed(io.RawIOBase):
    """A caller's open file, read from where it stood; closing this leaves the caller's file open."""

    def __init__(self, file: IO[bytes], start: int) -> None:
        super().__init__()
        self._file = file
        file.seek(start)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        if not isinstance(data, bytes):
            raise TypeError("log_asset needs a file opened in binary mode ('rb')")
        return data


class Run:
    """An experiment being logged. Get one from :func:`start_run`; end it with :meth:`end` or ``with``.

    Metrics are buffered and sent from a background thread; every other call is sent at once. An error of
    the background sending is raised by the next call on the run (and by :meth:`flush` and :meth:`end`).
    """

    def __init__(self, client: Client, key: str, name: Optional[str], url: Optional[str], *,
                 batch_size: int = 100, flush_interval: float = 5.0) -> None:
        self.client = client
        self.key = key
        self.name = name
        self.url = url
        self._step = 0
        self._ended = False
        self._batcher = MetricBatcher(self._send_points, batch_size, flush_interval, f"trackql-{key[:12]}")
        _track(self)

    # Metrics (buffered).

    def log_metric(self, name: str, value: Any, step: Optional[int] = None, *, epoch: Optional[int] = None,
                   context: Optional[str] = None) -> None:
        """Buffers one value. NaN and ±Infinity are kept (sent as ``nonFinite``). ``step`` defaults to the
        last step given to this run (0 at first); ``context`` is e.g. ``"train"`` or ``"validate"``."""
        self._check()
        point = make_point(name, value, self._step if step is None else step, epoch, context)
        self._step = point.step
        self._batcher.add(point)

    def log_metrics(self, values: Mapping[str, Any], step: Optional[int] = None, *, epoch: Optional[int] = None,
                    context: Optional[str] = None) -> None:
        """Buffers several metrics at one step (all validated before any is buffered)."""
        self._check()
        chosen = self._step if step is None else step
        points = [make_point(name, value, chosen, epoch, context) for name, value in values.items()]
        for point in points:
            self._step = point.step
            self._batcher.add(point)

    def _send_points(self, points: List[Point], idempotency_key: str) -> None:
        series = to_series(points)
        variables = {"input": {"experimentKey": self.key, "idempotencyKey": idempotency_key, "series": series}}
        self.client.transport.post_graphql(_LOG_METRICS, variables, retry_unsafe=True)

    # Everything else (sent at once, each call with its own idempotency key, kept across its retries).

    def _mutate(self, document: str, input_: Dict[str, Any]) -> Dict[str, Any]:
        input_ = {"experimentKey": self.key, "idempotencyKey": str(uuid.uuid4()), **input_}
        return self.client.transport.post_graphql(document, {"input": input_}, retry_unsafe=True)

    def log_parameter(self, name: str, value: Any) -> None:
        self.log_parameters({name: value})

    def log_parameters(self, parameters: Mapping[str, Any]) -> None:
        """Hyperparameters; values are any JSON (stored in string form)."""
        self._check()
        if parameters:
            self._mutate(_LOG_PARAMETERS, {"parameters": _named(parameters, "parameter")})

    def add_tag(self, tag: str) -> None:
        self.add_tags([tag])

    def add_tags(self, tags: Iterable[str]) -> None:
        self._check()
        tags = list(tags)
        if any(not isinstance(t, str) for t in tags):
            raise TypeError(f"tags must be strings, got {tags!r}")
        if tags:
            self._mutate(_ADD_TAGS, {"tags": tags})

    def log_other(self, key: str, value: Any) -> None:
        self.log_others({key: value})

    def log_others(self, others: Mapping[str, Any]) -> None:
        """Free-form values (any JSON), such as notes or the git commit."""
        self._check()
        if others:
            items = [{"key": k, "value": json_value(f"other {k!r}", v)} for k, v in others.items()]
            self._mutate(_LOG_OTHERS, {"others": items})

    def log_asset(self, file: PathOrFile, file_name: Optional[str] = None, *, type: str = "asset",
                  step: Optional[int] = None, metadata: Optional[Mapping[str, Any]] = None,
                  model_name: Optional[str] = None) -> Dict[str, Any]:
        """Uploads a file (a path, or a binary file object read from its current position), streamed to the
        signed URL without reading it whole into memory. ``model_name`` groups it into an experiment model.
        Returns the stored asset (``assetId``, ``fileName``, ``size``, ...)."""
        self._check()
        size, open_body, default_name = _body_of(file)
        upload: Dict[str, Any] = {"fileName": file_name or default_name, "type": type}
        if step is not None:
            upload["step"] = step
        if metadata is not None:
            upload["metadata"] = json_value("asset metadata", metadata)
        if model_name is not None:
            upload["modelName"] = model_name
        created = self._mutate(_CREATE_UPLOAD, upload)["createAssetUpload"]
        if size > created["maxBytes"]:
            raise TrackQLError(f"{upload['fileName']} is {size} bytes; the gateway accepts at most "
                               f"{int(created['maxBytes'])}", "PAYLOAD_TOO_LARGE", extensions={"limit": created["maxBytes"]})
        answer = self.client.transport.put_stream(created["uploadUrl"], open_body, size)
        return dict(as_object(answer.get("asset")) or {})

    # Lifecycle.

    def flush(self, timeout: Optional[float] = None) -> None:
        """Sends every buffered point now; raises the first error met (see :class:`~trackql.TrackQLError`)."""
        self._batcher.flush(timeout)

    def end(self, status: str = "FINISHED", *, timeout: Optional[float] = None) -> None:
        """Flushes, then ends the run with ``status`` (``FINISHED``, ``FAILED`` or ``CRASHED``). A failed
        flush or end is raised after both were tried. Ending an ended run does nothing."""
        if status not in END_STATUSES:
            raise ValueError(f"status must be one of {', '.join(END_STATUSES)}, got {status!r}")
        if self._ended:
            return
        self._ended = True
        _open_runs.discard(self)
        error: Optional[TrackQLError] = None
        try:
            self._batcher.close(timeout)
        except TrackQLError as err:
            error = err
        try:
            self._mutate(_END, {"status": status})
        except TrackQLError as err:
            if error is None:
                error = err
            else:
                log.error("trackql: ending run %s failed too: %s", self.key, err)
        if error is not None:
            raise error

    def _check(self) -> None:
        if self._ended:
            raise RuntimeError(f"run {self.key} has ended")
        error = self._batcher.take_error()
        if error is not None:
            raise error

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        if exc_type is None:
            self.end("FINISHED")
            return
        try:
            self.end("FAILED")
        except TrackQLError as err:  # the caller's own exception matters more: keep it, and say this one
            log.error("trackql: could not end run %s as FAILED: %s", self.key, err)

    def __repr__(self) -> str:
        return f"Run(key={self.key!r}, name={self.name!r})"


def _named(values: Mapping[str, Any], what: str) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for name, value in values.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"{what} names must be non-empty strings, got {name!r}")
        out.append({"name": name, "value": json_value(f"{what} {name!r}", value)})
    return out


def _body_of(file: PathOrFile) -> "tuple[int, Callable[[], BinaryIO], str]":
    if isinstance(file, (str, os.PathLike)):
        path = os.fspath(file)
        size = os.stat(path).st_size
        return size, lambda: open(path, "rb"), os.path.basename(path)
    if not hasattr(file, "read") or not hasattr(file, "seek"):
        raise TypeError(f"log_asset takes a path or a seekable binary file, got {type(file).__name__}")
    start = file.tell()
    size = file.seek(0, os.SEEK_END) - start
    file.seek(start)
    name = os.path.basename(str(getattr(file, "name", "") or "")) or "asset"
    return size, lambda: _Borrowed(file, start), name  # type: ignore[return-value]


def start_run(workspace: str, project: str, name: Optional[str] = None, parameters: Optional[Mapping[str, Any]] = None,
              *, url: Optional[str] = None, api_key: Optional[str] = None, parent: Union["Run", str, None] = None,
              tags: Optional[Iterable[str]] = None, batch_size: int = 100, flush_interval: float = 5.0,
              timeout: float = 30.0, retry: Optional[RetryPolicy] = None, client: Optional[Client] = None) -> Run:
    """Creates an experiment (and its project when missing) and returns the :class:`Run` that logs to it.

    ``url``/``api_key`` default to ``$TRACKQL_URL``/``$TRACKQL_API_KEY``; ``parent`` (a run or a key) makes this a
    child run. Metrics are sent every ``batch_size`` points or ``flush_interval`` seconds, whichever comes first.
    """
    client = client or Client(url, api_key, timeout=timeout, retry=retry)
    input_: Dict[str, Any] = {"workspace": workspace, "project": project, "idempotencyKey": str(uuid.uuid4())}
    if name is not None:
        input_["name"] = name
    if parameters:
        input_["parameters"] = _named(parameters, "parameter")
    if tags is not None:
        input_["tags"] = list(tags)
    if parent is not None:
        input_["parentKey"] = parent.key if isinstance(parent, Run) else parent
    created = client.transport.post_graphql(_CREATE, {"input": input_}, retry_unsafe=True)
    experiment = created["createExperiment"]["experiment"]
    return Run(client, experiment["key"], experiment.get("name"), experiment.get("url"),
               batch_size=batch_size, flush_interval=flush_interval)
