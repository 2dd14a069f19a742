"""The Assay side of the labeling-loop benchmark: ``assay serve`` on a fresh SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import func, select

from assay.accounts import service as accounts
from assay.client import Client
from assay.db.engine import Database
from assay.db.models import Response


class AssayTarget:
    name = "Assay"

    def __init__(self, workdir: Path, port: int, db_url: str | None = None,
                 processes: int = 1) -> None:
        self.processes = processes
        self.workdir = workdir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.db_url = db_url or f"sqlite:///{workdir / 'assay.db'}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.project_id = ""
        self.tokens: list[str] = []
        self.api_key = ""
        self.overlap = 1

    def start(self) -> float:
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assay.cli", "serve", "--db", self.db_url, "--port",
             str(self.port), "--workers", str(self.processes)],
            stdout=open(self.workdir / "assay.log", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
            env={**os.environ, "ASSAY_RUN_JOBS": "1"},
        )
        while True:
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                time.sleep(0.01)

    def setup(self, n_tasks: int, overlap: int, n_workers: int, labels: list[str]) -> None:
        self.overlap = overlap
        db = Database(self.db_url)
        org = db.write(lambda s: accounts.create_org(s, "Bench"))
        self.api_key = org.api_key
        self.tokens = db.write(lambda s: [
            accounts.create_worker(s, f"bench{i}@example.com", org.org_id)[1]
            for i in range(n_workers)])
        db.dispose()
        client = Client(self.url, self.api_key, timeout=300)
        project = client.create_project(name="bench", kind="categorize",
                                        params={"labels": labels},
                                        quality={"overlap": overlap})
        self.project_id = project["id"]
        client.create_tasks(self.project_id,
                            [{"data": {"text": f"item {i}"}} for i in range(n_tasks)])
        client.close()

    def worker_config(self, index: int) -> dict[str, Any]:
        return {"url": self.url, "token": self.tokens[index], "project": self.project_id}

    @staticmethod
    def make_session(config: dict[str, Any]) -> httpx.Client:
        return httpx.Client(base_url=config["url"], timeout=60,
                            headers={"Authorization": f"Bearer {config['token']}"})

    @staticmethod
    def worker_next(session: httpx.Client, config: dict[str, Any]) -> object | None:
        r = session.post("/v1/work/next", json={"project": config["project"]})
        if r.status_code == 204:
            return None
        r.raise_for_status()
        return r.json()["assignment_id"]

    @staticmethod
    def worker_submit(session: httpx.Client, config: dict[str, Any], handle: object,
                      label: str) -> None:
        r = session.post(f"/v1/work/{handle}/submit", json={"answer": {"label": label}})
        r.raise_for_status()

    def export_all(self) -> tuple[float, int]:
        started = time.monotonic()
        count = 0
        with httpx.Client(base_url=self.url, timeout=600,
                          headers={"Authorization": f"Bearer {self.api_key}"}) as http, \
                http.stream("GET", f"/v1/projects/{self.project_id}/export") as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if line.strip():
                    count += 1
        return time.monotonic() - started, count

    def overlap_violations(self) -> tuple[int, int]:
        db = Database(self.db_url)
        with db.read() as session:
            per_task = session.execute(
                select(Response.task_id, func.count(), func.count(Response.worker_id.distinct()))
                .where(Response.project_id == self.project_id).group_by(Response.task_id)
            ).all()
        db.dispose()
        bad = sum(1 for _, n, distinct in per_task if n > self.overlap or distinct < n)
        return bad, len(per_task)

    def memory_mb(self) -> float:
        assert self.proc is not None
        proc = psutil.Process(self.proc.pid)
        rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(True))
        return rss / 2**20

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)
