"""TrackQL client: log runs to a TrackQL gateway from training code (standard library only).

>>> import trackql
>>> with trackql.start_run(workspace="ml", project="vision", name="resnet", parameters={"lr": 1e-3}) as run:
...     run.log_metric("loss", 0.42, step=10, context="train")
"""
from ._http import RetryPolicy
from ._version import __version__
from .client import Client
from .errors import GraphQLError, RateLimitedError, TrackQLError, TransportError
from .run import Run, start_run

__all__ = [
    "Client",
    "GraphQLError",
    "RateLimitedError",
    "RetryPolicy",
    "Run",
    "TrackQLError",
    "TransportError",
    "__version__",
    "start_run",
]
