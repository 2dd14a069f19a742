"""Seed the demo and run it."""

from __future__ import annotations

import json
import os
import random
import secrets
import signal
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from assay.accounts import service as accounts
from assay.app import create_app
from assay.client import Client
from assay.db.engine import Database
from assay.db.migrate import upgrade
from assay.demo.crowd import SimulatedWorker, run_worker
from assay.demo.data import CHAT_PROMPTS, comparisons, reviews
from assay.models.standin import StandIn
from assay.settings import Settings

DEFAULT_DB = "assay-demo.db"
ENV_FILE = "assay-demo.env"  # the demo's address, key and project ids, for scripts/tour.sh
GOLD_ITEMS = 12  # hidden checks mixed into the sentiment project
# Each worker gives the true answer with this probability, else a random label (which may
# be the true one by chance). Workers alternate between the two projects; the one at 0.0,
# a spammer answering at random, works on sentiment, where the gold checks catch them.
RELIABILITY = [0.97, 0.95, 0.92, 0.9, 0.88, 0.85, 0.8, 0.75, 0.7, 0.6, 0.0, 0.45]


def _fresh_sqlite(url: str | None) -> str:
    if url:
        return url
    for suffix in ("", "-wal", "-shm"):
        Path(DEFAULT_DB + suffix).unlink(missing_ok=True)
    return f"sqlite:///{DEFAULT_DB}"


def _seed(base: str, api_key: str, n_items: int, rng: random.Random,
          reviewer_id: str) -> tuple[list[str], dict[str, str]]:
    """Create the demo projects through the API; return their ids and the hidden truth
    (by task data), which only the simulated crowd knows. The sentiment project asks two
    workers and more (up to five) until the label is 95% sure, mixes in hidden gold checks,
    pauses workers below 60%, and sends a sample to review, which ``reviewer_id``
    (you@demo.assay) may do."""
    client = Client(base, api_key)
    truth: dict[str, str] = {}
    sentiment = client.create_project(
        name="Product review sentiment", kind="categorize",
        instructions="Read the review. Is the customer **positive**, **negative** or "
                     "**neutral** about the product?\n\nJudge the product, not the delivery.",
        params={"labels": ["positive", "negative", "neutral"]},
        quality={"overlap": 2, "max_overlap": 5, "target_confidence": 0.95,
                 "gold_rate": 0.15, "min_worker_accuracy": 0.6, "review_rate": 0.05},
        pay={"per_task": "0.04", "currency": "USD"})
    items = reviews(n_items + GOLD_ITEMS, rng)
    client.create_tasks(sentiment["id"], [{"data": i.data, "unique_id": i.unique_id}
                                          for i in items[:n_items]])
    for item in items[n_items:]:
        client.add_gold(sentiment["id"], item.data, {"label": item.truth})
    client.add_reviewer(sentiment["id"], reviewer_id)
    truth.update({json.dumps(i.data, sort_keys=True): i.truth for i in items})
    pairs = client.create_project(
        name="Assistant answer preference", kind="compare",
        instructions="Which answer is more **correct and helpful**? Press `a` or `b`.",
        params={"allow_tie": False}, quality={"overlap": 3},
        pay={"per_task": "0.08", "currency": "USD"})
    items = comparisons(max(30, n_items // 3), rng)
    client.create_tasks(pairs["id"], [{"data": i.data, "unique_id": i.unique_id}
                                      for i in items])
    truth.update({json.dumps(i.data, sort_keys=True): i.truth for i in items})
    client.close()
    return [sentiment["id"], pairs["id"]], truth


def _seed_chat(base: str, api_key: str, standin: StandIn) -> str:
    """Two model endpoints on the stand-in (not models: canned replies, no weights) and a
    chat project whose candidate replies come from them."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {api_key}"},
                      timeout=30) as http:
        models = []
        for i, name in enumerate(("stand-in-a", "stand-in-b"), start=1):
            made = http.post("/v1/models", json={
                "name": name, "base_url": standin.base_url, "model": "drip-0.03",
                "params": {"seed": i, "timeout_s": 20}})
            made.raise_for_status()
            models.append(made.json()["id"])
        project = http.post("/v1/projects", json={
            "name": "Chat replies (stand-in model)", "kind": "chat",
            "instructions": "Rank the replies best first with the number keys, score them, "
                            "fix the best one if it needs it, then continue the "
                            "conversation or submit.\n\n**The replies come from a local "
                            "stand-in, not a model**: no model weights can be downloaded "
                            "here. Point a project at a real vLLM or Ollama server to see "
                            "real replies.",
            "params": {"models": models, "candidates": 2, "max_turns": 2,
                       "rubric": [{"id": "helpful", "description": "answers the question"}]},
            "quality": {"overlap": 2}})
        project.raise_for_status()
        prj = project.json()["id"]
        tasks = [{"data": {"messages": [{"role": "user", "content": text}]},
                  "unique_id": f"chat-{i}"} for i, text in enumerate(CHAT_PROMPTS)]
        http.post("/v1/tasks/bulk", json={"project": prj, "tasks": tasks}).raise_for_status()
        return str(prj)


def run_demo(db_url: str | None, host: str, port: int, n_workers: int, n_items: int) -> None:
    url = _fresh_sqlite(db_url or os.environ.get("ASSAY_DATABASE_URL"))
    upgrade(url)
    # The chat project's "models": a stand-in server on loopback, which the settings allow.
    standin = StandIn().start()
    allowed = (*Settings.from_env().allowed_model_hosts, f"127.0.0.1:{standin.port}")
    settings = Settings.from_env(database_url=url, allowed_model_hosts=allowed)
    db = Database(url)
    org = db.write(lambda s: accounts.create_org(s, "Demo Labs"))
    # People who sign in to the web UI: a requester and a worker (you), with a fresh password.
    password = secrets.token_urlsafe(9)
    db.write(lambda s: accounts.create_user(s, "requester@demo.assay", org.org_id, password,
                                            "admin"))
    you, _ = db.write(lambda s: accounts.create_worker(s, "you@demo.assay", org.org_id,
                                                       password))
    emails = [f"worker{i + 1}@demo.assay" for i in range(max(1, n_workers))]
    created = db.write(lambda s: [accounts.create_worker(s, e, org.org_id) for e in emails])
    workers = [SimulatedWorker(email, token, RELIABILITY[i % len(RELIABILITY)])
               for i, (email, (_, token)) in enumerate(zip(emails, created, strict=True))]

    server = uvicorn.Server(uvicorn.Config(create_app(settings, db), host=host, port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    started = time.monotonic()
    thread.start()
    base = f"http://{host}:{port}"
    while not server.started:
        if not thread.is_alive():
            raise SystemExit(f"the server could not start on {host}:{port}")
        time.sleep(0.02)
    ready_s = time.monotonic() - started
    projects, truth = _seed(base, org.api_key, n_items, random.Random(7), you)
    labeled = list(projects)
    projects.append(_seed_chat(base, org.api_key, standin))
    stop = threading.Event()
    # Each simulated worker keeps to one of the labeled projects, so that both visibly
    # progress; the chat project is left to you (you@demo.assay).
    crowd = [threading.Thread(target=run_worker, daemon=True,
                              args=(base, w, labeled[i % len(labeled)], truth, stop,
                                    (0.4, 2.5), i))
             for i, w in enumerate(workers)]
    for t in crowd:
        t.start()
    _write_env(Path(ENV_FILE), base, url, org.api_key, projects, password)
    print(_banner(base, url, org.api_key, projects, len(workers), ready_s, password),
          flush=True)
    # SIGTERM stops the demo like Ctrl+C does, also when SIGINT is ignored (a process
    # started in the background by a shell).
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while thread.is_alive() and not stop.is_set():
            thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.should_exit = True
        thread.join(10)
        standin.stop()
        db.dispose()
        signal.signal(signal.SIGTERM, previous)


def _write_env(path: Path, base: str, url: str, api_key: str, projects: list[str],
               password: str) -> None:
    """Shell variables for the tour (``source assay-demo.env``); readable by the owner
    only, since it holds the demo's API key and password."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = f"sqlite:///{Path(url.removeprefix('sqlite:///')).resolve()}"  # any folder
    lines = ["# Written by `assay demo`: the running demo, for `source assay-demo.env`.",
             f"export ASSAY_URL={base}", f"export ASSAY_DB={url}",
             f"export DEMO_KEY={api_key}", f"export SENTIMENT={projects[0]}",
             f"export PAIRS={projects[1]}", f"export CHAT={projects[2]}",
             f"export DEMO_PASSWORD={password}"]
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("\n".join(lines) + "\n")


def _banner(base: str, url: str, api_key: str, projects: list[str], n_workers: int,
            ready_s: float, password: str) -> str:
    return f"""
Assay demo — server ready in {ready_s:.2f} s on {url}

  Web UI       {base}/login
               requester@demo.assay (dashboard) or you@demo.assay (labeling, and
               reviewing the sentiment project), password {password}
  API          {base}/v1/projects
  OpenAPI      {base}/openapi.json   (interactive: {base}/docs)
  API key      {api_key}
  Projects     {projects[0]} (review sentiment), {projects[1]} (answer preference),
               {projects[2]} (chat: rank, score and rewrite model replies)
  Chat models  replies come from a local stand-in (assay.models.standin), NOT a model:
               no model weights can be downloaded here. For real replies, register a
               vLLM or Ollama server: POST /v1/models {{"name", "base_url":
               "http://gpu-box:8000/v1", "model"}} (docs/models.md)
  For scripts  {ENV_FILE} (`source {ENV_FILE}`; the tour: `bash scripts/tour.sh`)

{n_workers} simulated workers are answering through the API now, from 97% reliable to one
who answers at random; the sentiment project's checks (hidden gold, and the model
of every worker) pause that one within minutes
(see /v1/projects/{projects[0]}/workers, or the dashboard).

Try:
  curl -s -H "Authorization: Bearer {api_key}" {base}/v1/projects | python3 -m json.tool
  curl -s -H "Authorization: Bearer {api_key}" \\
       "{base}/v1/tasks?status=completed&limit=3&include=responses" | python3 -m json.tool
  curl -s -H "Authorization: Bearer {api_key}" \\
       "{base}/v1/projects/{projects[0]}/export?format=csv" | head

Press Ctrl+C to stop.
"""
