"""Do callbacks keep pace with completions? (issue 15)

For each tree (``before``: a git revision checked out with ``git worktree``; ``after``: this
working tree) and each backend (SQLite, and PostgreSQL when reachable): a real ``assay serve``,
``--workers`` worker threads completing ``--tasks`` tasks at overlap ``--overlap`` through the
HTTP API, each task's callback going to a local receiver. Reports callbacks arrived against
completions over time and the lag of the last callback after the last completion
(target: at most 10 s).

    .venv/bin/python bench/callbacks/run.py --before 2379f41 [--tasks 2000 --workers 16]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
PG = "postgresql://postgres@127.0.0.1:5432/"


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.calls = 0
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                task_id = json.loads(body)["task"]["id"]
                with lock:
                    receiver.calls += 1
                    receiver.arrivals.setdefault(task_id, time.monotonic())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _env(tree: Path, data_dir: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree / "src"),
            "ASSAY_ALLOWED_CALLBACK_HOSTS": "127.0.0.1", "ASSAY_DATA_DIR": data_dir}


def _setup(tree: Path, url: str, workers: int, data_dir: str) -> dict[str, Any]:
    env = _env(tree, data_dir)
    subprocess.run([sys.executable, "-m", "assay.cli", "db", "upgrade", "--db", url],
                   env=env, check=True, capture_output=True)
    script = (
        "import json, sys\n"
        "from assay.db.engine import Database\n"
        "from assay.accounts.service import create_org, create_worker\n"
        f"db = Database({url!r})\n"
        "org = db.write(lambda s: create_org(s, 'Bench'))\n"
        f"tokens = [db.write(lambda s, i=i: create_worker(s, f'w{{i}}@bench.example', "
        f"org.org_id))[1] for i in range({workers})]\n"
        "print(json.dumps({'key': org.api_key, 'tokens': tokens}))\n")
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True,
                         capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_one(tree: Path, url: str, tasks: int, workers: int, overlap: int) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix="assay-bench-")
    made = _setup(tree, url, workers, data_dir)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "assay.cli", "serve", "--db", url,
                               "--port", str(port)], env=_env(tree, data_dir),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    receiver = Receiver()
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        api = httpx.Client(base_url=base, timeout=60,
                           headers={"Authorization": f"Bearer {made['key']}"})
        project = api.post("/v1/projects", json={
            "name": "bench", "kind": "categorize", "params": {"labels": ["a", "b"]},
            "quality": {"overlap": overlap}, "callback_url": receiver.url}).json()
        for start in range(0, tasks, 1000):
            r = api.post("/v1/tasks/bulk", json={"project": project["id"], "tasks": [
                {"data": {"n": i}} for i in range(start, min(tasks, start + 1000))]})
            r.raise_for_status()
        completions: list[tuple[float, int]] = []  # (when, tasks completed so far)
        submits: list[float] = []
        done = threading.Event()

        def watch() -> None:  # the project's completed count, sampled
            while not done.is_set():
                counts = api.get(f"/v1/projects/{project['id']}").json()["counts"]
                completions.append((time.monotonic(), counts["completed"]))
                done.wait(0.5)

        def work(token: str) -> None:
            with httpx.Client(base_url=base, timeout=60,
                              headers={"Authorization": f"Bearer {token}"}) as http:
                while True:
                    r = http.post("/v1/work/next", json={"project": project["id"]})
                    if r.status_code == 204:
                        return
                    offer = r.json()
                    http.post(f"/v1/work/{offer['assignment_id']}/submit",
                              json={"answer": {"label": "a"}}).raise_for_status()
                    submits.append(time.monotonic())

        t0 = time.monotonic()
        watcher = threading.Thread(target=watch)
        watcher.start()
        threads = [threading.Thread(target=work, args=(t,)) for t in made["tokens"]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        last_completion = max(submits)  # the last submit completed the last task
        done.set()
        watcher.join()
        deadline = last_completion + 120
        while len(receiver.arrivals) < tasks and time.monotonic() < deadline:
            time.sleep(0.1)
        arrivals = sorted(receiver.arrivals.values())
        timeline = []
        for second in range(0, int(max(arrivals[-1] if arrivals else t0, last_completion)
                                   - t0) + 6, 5):
            at = t0 + second
            seen = [n for when, n in completions if when <= at]
            timeline.append((second, seen[-1] if seen else 0,
                             sum(1 for a in arrivals if a <= at)))
        return {"tasks": tasks, "submits": len(submits),
                "arrived": len(arrivals), "calls": receiver.calls,
                "completion_s": round(last_completion - t0, 1),
                "lag_last_callback_s": (round(arrivals[-1] - last_completion, 1)
                                        if len(arrivals) == tasks else None),
                "arrived_30s_after_last_completion": sum(
                    1 for a in arrivals if a <= last_completion + 30),
                "timeline_s_completions_arrived": timeline}
    finally:
        receiver.close()
        server.terminate()
        server.wait(20)


def _postgres_db() -> str | None:
    try:
        import psycopg
        name = f"assay_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG + "postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return PG + name
    except Exception:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="git revision to compare with (a worktree)")
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--overlap", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    trees = [("after", ROOT)]
    worktree = None
    if args.before:
        worktree = Path(tempfile.mkdtemp(prefix="assay-before-")) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach",
                        str(worktree), args.before], check=True)
        trees.insert(0, ("before", worktree))
    try:
        for label, tree in trees:
            for backend in args.backends.split(","):
                if backend == "sqlite":
                    url: str | None = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
                else:
                    url = _postgres_db()
                    if not url:
                        print(f"{label} postgres: unreachable, skipped", flush=True)
                        continue
                assert url is not None
                result = run_one(tree, url, args.tasks, args.workers, args.overlap)
                print(json.dumps({"tree": label, "backend": backend, **result}), flush=True)
    finally:
        if worktree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(worktree)], check=False)


if __name__ == "__main__":
    main()
