"""Heavy pure work off the process: on a Ray cluster when ``ASSAY_RAY_ADDRESS`` is set and the
optional extra ``ray`` is installed (``pip install 'assay[ray]'``), else in this process.

:func:`map_calls` runs a pure function (arrays in, arrays out: no database, no session) over
a list of inputs and returns the results in order. The background refit hands it each due
project's Dawid-Skene fit, so a refit of many large projects spreads over a cluster's cores
while the reads before and the writes after stay here, on the database.

``ASSAY_RAY_ADDRESS`` is what ``ray.init(address=…)`` takes: ``auto`` (a cluster already
running on this machine, e.g. ``ray start --head``), ``ray://host:10001`` (a remote one), or
``local`` (start a private one-machine instance in this process, for a single box or tests).
When Ray cannot be imported or reached, or a remote call fails, the work runs here instead
and a warning says why: a refit never waits on a cluster that is down.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

log = logging.getLogger("assay.offload")

In = TypeVar("In")
Out = TypeVar("Out")

_lock = threading.Lock()
_remote: dict[Callable[..., Any], Any] = {}
_failed: set[str] = set()  # addresses already warned about
ran_on_ray = 0
"""How many calls this process has had done on Ray (a figure for tests and logs)."""


def _connect(address: str) -> Any | None:
    """The ``ray`` module, connected to ``address``; None (and one warning) if it cannot be."""
    try:
        import ray
    except ImportError:
        _warn(address, "ASSAY_RAY_ADDRESS is set but the ray extra is not installed "
                       "(pip install 'assay[ray]'): batch work runs in this process")
        return None
    with _lock:
        if not ray.is_initialized():
            try:
                ray.init(address=None if address == "local" else address,
                         include_dashboard=False, log_to_driver=False,
                         ignore_reinit_error=True)
            except Exception as exc:  # any failure to reach the cluster: run here
                _warn(address, f"cannot reach Ray at {address!r} ({exc}): batch work runs in "
                               "this process")
                return None
    return ray


def _warn(address: str, message: str) -> None:
    if address not in _failed:
        _failed.add(address)
        log.warning(message)


def map_calls(fn: Callable[[In], Out], items: Sequence[In],
              address: str | None = None) -> list[Out]:
    """``[fn(item) for item in items]``, on Ray at ``address`` when given and reachable."""
    if not items or not address:
        return [fn(item) for item in items]
    ray = _connect(address)
    if ray is None:
        return [fn(item) for item in items]
    with _lock:
        remote = _remote.get(fn)
        if remote is None:
            remote = _remote[fn] = ray.remote(fn)
    global ran_on_ray
    try:
        results = list(ray.get([remote.remote(item) for item in items]))
    except Exception as exc:  # a worker died, the cluster went away: the work still gets done
        log.warning("batch work on Ray failed (%s): running it in this process", exc)
        return [fn(item) for item in items]
    ran_on_ray += len(items)
    return results


def shutdown() -> None:
    """Disconnect from Ray (or stop the ``local`` instance) if this process connected."""
    try:
        import ray
    except ImportError:
        return
    with _lock:
        _remote.clear()
        if ray.is_initialized():
            ray.shutdown()
