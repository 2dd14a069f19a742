"""A simulated crowd: workers of different reliability answering through the HTTP API."""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass

from assay.client import AssayAPIError, WorkerClient

LABELS = {"categorize": ["positive", "negative", "neutral"], "compare": ["a", "b"]}


@dataclass(frozen=True)
class SimulatedWorker:
    name: str
    token: str
    accuracy: float  # chance of giving the true answer; otherwise a random one


def _answer(kind: str, truth: str, accuracy: float, rng: random.Random) -> dict[str, str]:
    choice = truth if rng.random() < accuracy else rng.choice(LABELS[kind])
    return {"label": choice} if kind == "categorize" else {"choice": choice}


def run_worker(url: str, worker: SimulatedWorker, project: str, truth: dict[str, str],
               stop: threading.Event, pace_s: tuple[float, float], seed: int) -> None:
    rng = random.Random(seed)
    client = WorkerClient(url, worker.token)
    while not stop.is_set():
        try:
            offer = client.next(project)
        except AssayAPIError as exc:
            if exc.code == "worker_paused":
                break  # the checks caught this worker: they stop, as a paused person would
            stop.wait(2.0)
            continue
        except OSError:
            stop.wait(2.0)
            continue
        if offer is None:
            stop.wait(3.0)
            continue
        stop.wait(rng.uniform(*pace_s))  # reading and thinking
        key = json.dumps(offer["data"], sort_keys=True)
        if key not in truth or rng.random() < 0.02:
            client.skip(offer["assignment_id"], reason="unclear")
            continue
        try:
            client.submit(offer["assignment_id"],
                          _answer(offer["kind"], truth[key], worker.accuracy, rng))
        except (AssayAPIError, OSError):
            stop.wait(1.0)
    client.close()
