"""Turning Python values into what the schema accepts: metric points in column form, JSON values."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple

#: The schema's ``NonFinite`` enum: JSON has no NaN or Infinity, so such values travel as null plus this.
NAN = "NAN"
INFINITY = "INFINITY"
NEGATIVE_INFINITY = "NEGATIVE_INFINITY"


@dataclass(frozen=True)
class Point:
    """One metric value as it will be sent: ``value`` is None exactly when ``non_finite`` names it."""

    name: str
    value: Optional[float]
    non_finite: Optional[str]
    step: int
    epoch: Optional[int]
    context: Optional[str]
    timestamp: str


def now_iso() -> str:
    """The current time as the schema's DateTime (ISO 8601, UTC, milliseconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _as_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or isinstance(value, (str, bytes)):
        raise TypeError(f"metric {name!r}: value must be a number, got {type(value).__name__} {value!r}")
    try:
        return float(value)  # int, float, and number-like objects such as NumPy scalars
    except (TypeError, ValueError):
        raise TypeError(f"metric {name!r}: value must be a number, got {type(value).__name__} {value!r}") from None


def _check_int(what: str, value: Any, minimum: Optional[int] = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        index = getattr(value, "__index__", None)  # NumPy integers
        if index is None:
            raise TypeError(f"{what} must be an integer, got {type(value).__name__} {value!r}")
        value = index()
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be an integer >= {minimum}, got {value}")
    return int(value)


def make_point(name: str, value: Any, step: int, epoch: Optional[int], context: Optional[str]) -> Point:
    """Validates one metric value at the call, so bad input fails where it was logged, not in the background."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"metric name must be a non-empty string, got {name!r}")
    if context is not None and not isinstance(context, str):
        raise TypeError(f"metric {name!r}: context must be a string, got {context!r}")
    number = _as_float(name, value)
    step = _check_int(f"metric {name!r}: step", step, 0)
    epoch = None if epoch is None else _check_int(f"metric {name!r}: epoch", epoch)
    if math.isnan(number):
        return Point(name, None, NAN, step, epoch, context, now_iso())
    if math.isinf(number):
        return Point(name, None, INFINITY if number > 0 else NEGATIVE_INFINITY, step, epoch, context, now_iso())
    return Point(name, number, None, step, epoch, context, now_iso())


def to_series(points: Sequence[Point]) -> List[Dict[str, Any]]:
    """Column form: one ``MetricSeriesInput`` per (name, context), each keeping its points in logged order."""
    groups: Dict[Tuple[str, Optional[str]], List[Point]] = {}
    for point in points:
        groups.setdefault((point.name, point.context), []).append(point)
    series: List[Dict[str, Any]] = []
    for (name, context), group in groups.items():
        entry: Dict[str, Any] = {
            "name": name,
            "steps": [p.step for p in group],
            "values": [p.value for p in group],
            "timestamps": [p.timestamp for p in group],
        }
        if any(p.non_finite for p in group):
            entry["nonFinite"] = [p.non_finite for p in group]
        if any(p.epoch is not None for p in group):
            entry["epochs"] = [p.epoch for p in group]
        if context is not None:
            entry["context"] = context
        series.append(entry)
    return series


def _plain(value: Any) -> Any:
    # NumPy arrays and scalars (and the like) know how to become plain Python values.
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_value(what: str, value: Any) -> Any:
    """A plain-JSON copy of ``value`` taken now; NaN and Infinity are refused (JSON has neither)."""
    try:
        return json.loads(json.dumps(value, allow_nan=False, default=_plain))
    except ValueError as err:
        raise ValueError(f"{what}: NaN and Infinity cannot be sent as JSON values (log them as metrics, "
                         f"or as strings): {err}") from None
    except TypeError as err:
        raise TypeError(f"{what}: {err}") from None
