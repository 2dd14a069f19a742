"""Label Studio 1.23.2 side of the labeling-loop benchmark.

Runs Label Studio exactly as ``pip install label-studio`` ships it (``label-studio start``: Django's
threaded server, default SQLite database) in a throwaway venv, and drives it over HTTP only, the
way its own API clients do:

* the admin account is created by ``label-studio start --username/--password/--user-token``, and
  its organization gets legacy ``Authorization: Token <key>`` auth through the official
  ``--enable-legacy-api-token`` switch (since 1.17, new organizations have legacy tokens off and
  only accept JWT personal access tokens);
* annotators sign up through the public ``/user/signup/`` form (as a person would, CSRF included),
  which makes them members of the organization, then read their own legacy token from
  ``/api/current-user/token``;
* the project is created with ``maximum_annotations = overlap`` and tasks go through
  ``/api/projects/{id}/import``; workers call ``/api/projects/{id}/next/`` and
  ``POST /api/tasks/{id}/annotations/``; the export is ``/api/projects/{id}/export``.

Two outbound calls are switched off because this machine is offline and they would only add
timeouts: the PyPI "latest version" check at import time and Sentry error reporting.

Worker-side methods are static and take a picklable dict, so they run in separate processes that
only need httpx.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from typing import Any

import httpx
import psutil

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_EXECUTABLE = REPO_ROOT / ".bench" / "ls-venv" / "bin" / "label-studio"
LABEL_STUDIO_VERSION = "1.23.2"

FROM_NAME = "label"  # the <Choices name=...> of the labeling config
TO_NAME = "text"  # the <Text name=...> it labels
IMPORT_CHUNK = 10_000  # tasks per import request
START_TIMEOUT_S = 600.0
REQUEST_TIMEOUT = httpx.Timeout(connect=10.0, read=600.0, write=600.0, pool=600.0)


def _label_config(labels: list[str]) -> str:
    choices = "".join(f'<Choice value="{_xml_attr(label)}"/>' for label in labels)
    return (
        f'<View><Text name="{TO_NAME}" value="$text"/>'
        f'<Choices name="{FROM_NAME}" toName="{TO_NAME}" choice="single" showInLine="true">'
        f"{choices}</Choices></View>"
    )


def _xml_attr(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _check(response: httpx.Response, what: str) -> httpx.Response:
    if not response.is_success:
        raise RuntimeError(
            f"Label Studio {what}: HTTP {response.status_code} {response.text[:500]!r}"
        )
    return response


class LabelStudioTarget:
    name = f"Label Studio {LABEL_STUDIO_VERSION}"

    def __init__(self, workdir: pathlib.Path, port: int) -> None:
        self.workdir = pathlib.Path(workdir).resolve()
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.executable = pathlib.Path(
            os.environ.get("ASSAY_BENCH_LABEL_STUDIO", str(DEFAULT_EXECUTABLE))
        )
        self.data_dir = self.workdir / "labelstudio-data"
        self.db_path = self.data_dir / "label_studio.sqlite3"
        self.log_path = self.workdir / "labelstudio.log"
        self.admin_email = "bench-admin@assay.local"
        self.admin_password = secrets.token_urlsafe(18)
        self.admin_token = secrets.token_hex(20)  # same shape as a DRF token key
        self.project_id: int | None = None
        self.overlap: int | None = None
        self.n_tasks_imported = 0
        self.import_seconds: float | None = None  # wall time of the whole import (all chunks)
        self.users_seconds: float | None = None  # wall time to sign up all annotators
        self._workers: list[dict[str, Any]] = []
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: Any = None
        self._admin: httpx.Client | None = None

    # ------------------------------------------------------------------ server lifecycle

    def _env(self) -> dict[str, str]:
        """A clean environment: Label Studio reads many unprefixed variables (HOST, PORT,
        USERNAME, PASSWORD, DEBUG...) as settings, so nothing is inherited by accident."""
        home = self.workdir / "labelstudio-home"
        home.mkdir(parents=True, exist_ok=True)
        venv_bin = str(self.executable.parent)
        return {
            "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
            "PYTHONUNBUFFERED": "1",
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            # Offline machine: no PyPI version probe on import, no Sentry reporting.
            "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
            "LABEL_STUDIO_SENTRY_DSN": "",
            "LABEL_STUDIO_FRONTEND_SENTRY_DSN": "",
        }

    def start(self) -> float:
        if self._proc is not None:
            raise RuntimeError("Label Studio is already running")
        if not self.executable.exists():
            raise FileNotFoundError(
                f"{self.executable} not found: run bench/loop/setup_labelstudio.sh first"
            )
        if not _port_is_free(self.port):
            # label-studio would silently move to the next free port: refuse instead.
            raise RuntimeError(f"port {self.port} is already in use")
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)  # fresh server: new database, migrations included
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True)
        cmd = [
            str(self.executable),
            "start",
            "--no-browser",
            "--internal-host", "127.0.0.1",
            "--port", str(self.port),
            "--data-dir", str(self.data_dir),
            "--database", str(self.db_path),
            "--username", self.admin_email,
            "--password", self.admin_password,
            "--user-token", self.admin_token,
            "--enable-legacy-api-token",
        ]  # fmt: skip
        self._log_file = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        headers = {"Authorization": f"Token {self.admin_token}"}
        t0 = time.perf_counter()
        self._proc = subprocess.Popen(
            cmd,
            cwd=self.workdir,
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, so stop() can end all of it
        )
        deadline = t0 + START_TIMEOUT_S
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=5.0) as probe:
            while True:
                if self._proc.poll() is not None:
                    raise RuntimeError(
                        f"label-studio exited with {self._proc.returncode}:\n{self._log_tail()}"
                    )
                try:
                    # An authenticated call: the server is up *and* the admin/token exist.
                    r = probe.get("/api/current-user/whoami")
                    if r.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() > deadline:
                    self.stop()
                    raise TimeoutError(f"label-studio did not answer in {START_TIMEOUT_S:.0f} s")
                time.sleep(0.1)
        elapsed = time.perf_counter() - t0
        self._admin = httpx.Client(base_url=self.base_url, headers=headers, timeout=REQUEST_TIMEOUT)
        return elapsed

    def _log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def memory_mb(self) -> float:
        if self._proc is None:
            return 0.0
        try:
            root = psutil.Process(self._proc.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        total = 0
        for proc in procs:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                total += proc.memory_info().rss
        return total / (1024 * 1024)

    # ------------------------------------------------------------------ setup

    @property
    def admin(self) -> httpx.Client:
        if self._admin is None:
            raise RuntimeError("Label Studio is not started")
        return self._admin

    def setup(self, n_tasks: int, overlap: int, n_workers: int, labels: list[str]) -> None:
        me = _check(self.admin.get("/api/current-user/whoami"), "whoami").json()
        org_id = me["active_organization"]
        project = _check(
            self.admin.post(
                "/api/projects/",
                json={
                    "title": "assay-bench",
                    "label_config": _label_config(labels),
                    "maximum_annotations": overlap,
                },
            ),
            "create project",
        ).json()
        if project.get("maximum_annotations") != overlap:
            got = project.get("maximum_annotations")
            raise RuntimeError(f"project was created with maximum_annotations={got}")
        self.project_id = int(project["id"])
        self.overlap = overlap

        t0 = time.perf_counter()
        imported = 0
        for start in range(0, n_tasks, IMPORT_CHUNK):
            stop = min(n_tasks, start + IMPORT_CHUNK)
            chunk = [{"text": f"item {i}"} for i in range(start, stop)]
            body = _check(
                self.admin.post(f"/api/projects/{self.project_id}/import", json=chunk),
                "import",
            ).json()
            if body.get("task_count") != len(chunk):
                raise RuntimeError(f"import answered {body!r} for {len(chunk)} tasks")
            imported += len(chunk)
        self.import_seconds = time.perf_counter() - t0
        self.n_tasks_imported = imported

        t0 = time.perf_counter()
        self._workers = [self._sign_up(i, org_id) for i in range(n_workers)]
        self.users_seconds = time.perf_counter() - t0

    def _sign_up(self, index: int, org_id: int) -> dict[str, Any]:
        """Create one annotator through the public sign-up form and fetch its legacy token."""
        email = f"annotator{index}@assay.local"
        password = secrets.token_urlsafe(18)
        with httpx.Client(base_url=self.base_url, timeout=REQUEST_TIMEOUT) as browser:
            _check(browser.get("/user/signup/"), "sign-up page")
            csrf = browser.cookies.get("csrftoken")
            if not csrf:
                raise RuntimeError("sign-up page set no csrftoken cookie")
            r = browser.post(
                "/user/signup/",
                data={"email": email, "password": password, "csrfmiddlewaretoken": csrf},
                headers={"Referer": f"{self.base_url}/user/signup/", "X-CSRFToken": csrf},
            )
            if r.status_code != 302:  # success redirects to the projects page
                raise RuntimeError(f"sign-up of {email} failed: HTTP {r.status_code}")
            token = _check(browser.get("/api/current-user/token"), "get token").json()["token"]
        config = {
            "base_url": self.base_url,
            "token": token,
            "project_id": self.project_id,
            "email": email,
        }
        with self.make_session(config) as session:
            who = _check(session.get("/api/current-user/whoami"), "annotator whoami").json()
            if who["active_organization"] != org_id:
                raise RuntimeError(f"{email} landed in organization {who['active_organization']}")
            _check(session.get(f"/api/projects/{self.project_id}/"), "annotator sees project")
        config["user_id"] = who["id"]
        return config

    def worker_config(self, index: int) -> dict:
        return dict(self._workers[index])

    # ------------------------------------------------------------------ worker side

    @staticmethod
    def make_session(config: dict) -> httpx.Client:
        return httpx.Client(
            base_url=config["base_url"],
            headers={"Authorization": f"Token {config['token']}"},
            timeout=REQUEST_TIMEOUT,
        )

    @staticmethod
    def worker_next(session: httpx.Client, config: dict) -> object | None:
        r = session.get(f"/api/projects/{config['project_id']}/next/")
        if r.status_code == 404:  # "There are no tasks for <user>"
            return None
        _check(r, "next task")
        return int(r.json()["id"])

    @staticmethod
    def worker_submit(session: httpx.Client, config: dict, handle: object, label: str) -> None:
        project_id = config["project_id"]
        payload = {
            "result": [
                {
                    "id": secrets.token_hex(5),
                    "from_name": FROM_NAME,
                    "to_name": TO_NAME,
                    "type": "choices",
                    "origin": "manual",
                    "value": {"choices": [label]},
                }
            ],
            "project": project_id,
        }
        r = session.post(f"/api/tasks/{handle}/annotations/?project={project_id}", json=payload)
        _check(r, "submit annotation")

    # ------------------------------------------------------------------ after the load

    def export_all(self) -> tuple[float, int]:
        """Timed from the request until the last byte of the file has arrived; parsing the JSON
        to count the tasks is not timed."""
        if self.project_id is None:
            raise RuntimeError("setup() has not run")
        out = self.workdir / "labelstudio-export.json"
        params = {"exportType": "JSON", "download_all_tasks": "true"}
        t0 = time.perf_counter()
        with (
            self.admin.stream("GET", f"/api/projects/{self.project_id}/export", params=params) as r,
            open(out, "wb") as fh,
        ):
            if not r.is_success:
                r.read()
                _check(r, "export")
            for block in r.iter_bytes(1 << 20):
                fh.write(block)
        seconds = time.perf_counter() - t0
        with open(out, "rb") as fh:
            tasks = json.load(fh)
        out.unlink()
        return seconds, len(tasks)

    def overlap_violations(self) -> tuple[int, int]:
        """Read from Label Studio's SQLite database (read-only). A task is a violation when it
        holds more (non-skipped) annotations than the overlap, or two annotations by the same
        user. Checked = tasks of the project holding at least one annotation."""
        if self.project_id is None or self.overlap is None:
            raise RuntimeError("setup() has not run")
        uri = f"file:{self.db_path}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=60)) as db:
            rows = db.execute(
                """
                SELECT task_id, COUNT(*), COUNT(DISTINCT completed_by_id)
                FROM task_completion
                WHERE project_id = ? AND was_cancelled = 0
                GROUP BY task_id
                """,
                (self.project_id,),
            ).fetchall()
        violations = sum(1 for _, n, users in rows if n > self.overlap or users < n)
        return violations, len(rows)
