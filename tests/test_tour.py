"""The README's tour is ``scripts/tour.sh``: run it against a fresh demo, check what each
step answers (shapes and invariants, not ids), and check that every command the README's
tour shows is one the script ran, so the README cannot drift from what works."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import free_port

ROOT = Path(__file__).resolve().parent.parent


def _steps(transcript: str) -> dict[str, str]:
    """Each command the script showed (``$ …``) and what it printed."""
    steps: dict[str, str] = {}
    command = None
    for line in transcript.splitlines():
        if line.startswith("$ "):
            command = line[2:]
            steps[command] = ""
        elif line.startswith("## "):
            command = None
        elif command is not None:
            steps[command] += line + "\n"
    return {k: v.strip() for k, v in steps.items()}


def _output(steps: dict[str, str], starts: str) -> str:
    [found] = [out for command, out in steps.items() if command.startswith(starts)]
    return found


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    tour = readme.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", tour, re.S):
        commands += [line[2:] for line in block.splitlines() if line.startswith("$ ")]
    return commands


def _start_demo(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    def ignore_sigint() -> None:  # as a shell's background job starts: SIGINT ignored
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    return subprocess.Popen(
        [sys.executable, "-m", "assay.cli", "demo", "--port", str(port), "--items", "30",
         "--workers", "6"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={k: v for k, v in os.environ.items() if k != "ASSAY_DATABASE_URL"},
        preexec_fn=ignore_sigint)


def test_the_readme_tour_runs_as_shown(tmp_path: Path) -> None:
    port = free_port()
    demo = _start_demo(tmp_path, port)
    try:
        assert demo.stdout is not None
        banner = ""
        while "Press Ctrl+C" not in banner:
            line = demo.stdout.readline()
            assert line, f"demo exited early: {banner}"
            banner += line
        env_file = tmp_path / "assay-demo.env"
        assert "assay-demo.env" in banner
        assert env_file.stat().st_mode & 0o777 == 0o600  # it holds the demo's key
        values = dict(re.findall(r"^export (\w+)=(.*)$", env_file.read_text(), re.M))
        assert values["ASSAY_URL"] == f"http://127.0.0.1:{port}"
        assert values["ASSAY_DB"] == f"sqlite:///{tmp_path / 'assay-demo.db'}"
        headers = {"Authorization": f"Bearer {values['DEMO_KEY']}"}
        deadline = time.monotonic() + 120
        completed = 0
        while completed < 1 and time.monotonic() < deadline:  # step 2 shows a completed task
            project = httpx.get(f"{values['ASSAY_URL']}/v1/projects/{values['SENTIMENT']}",
                                headers=headers).json()
            completed = project["counts"]["completed"]
            time.sleep(0.5)
        assert completed >= 1

        run = subprocess.run(["bash", str(ROOT / "scripts" / "tour.sh")], cwd=tmp_path,
                             capture_output=True, text=True, timeout=300,
                             env={**os.environ, "ASSAY_DEMO_ENV": str(env_file),
                                  "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
        assert run.returncode == 0, run.stdout + run.stderr
        steps = _steps(run.stdout)

        # Every command the README's tour shows is one the script ran.
        shown = _readme_commands()
        assert len(shown) >= 12
        missing = [c for c in shown if c not in steps]
        assert not missing, f"README commands the tour script does not run: {missing}"

        # 2. The demo's projects, and a completed task with its answers.
        projects = _output(steps, 'curl -s -H "Authorization: Bearer $DEMO_KEY" $ASSAY_URL/v1/'
                                  'projects |').splitlines()
        assert sorted(line.split()[1] for line in projects) == ["categorize", "chat", "compare"]
        [task] = json.loads(_output(steps, 'curl -s -H "Authorization: Bearer $DEMO_KEY" '
                                           '"$ASSAY_URL/v1/tasks?'))["docs"]
        assert task["status"] == "completed" and task["result"]["answer"]["label"]
        assert len(task["responses"]) == task["result"]["n_responses"] >= 2

        # 3. A new organization, its own key, a project, a bulk import, a refusal.
        org = json.loads(_output(steps, "assay org create"))
        assert org["api_key"].startswith("ak_") and org["api_key"] != values["DEMO_KEY"]
        assert json.loads(_output(steps, "curl -s -X POST $ASSAY_URL/v1/projects "))["kind"] \
            == "categorize"
        bulk = json.loads(_output(steps, "curl -s -X POST $ASSAY_URL/v1/tasks/bulk"))
        assert bulk["created"] == 2 and [d["index"] for d in bulk["duplicates"]] == [2]
        refused = json.loads(_output(steps, "curl -s -X POST $ASSAY_URL/v1/tasks "))["error"]
        assert refused["code"] == "invalid_input"
        assert [f["field"] for f in refused["details"]["fields"]] == ["priority"]

        # 4. A worker gets the task, a bad label is refused, a good one accepted.
        offer = json.loads(_output(steps, "curl -s -X POST $ASSAY_URL/v1/work/next"))
        assert offer["data"]["text"] in ("have a nice day", "you are an idiot")
        submits = [json.loads(out) for command, out in steps.items()
                   if "/submit" in command]
        assert submits[0]["error"]["details"]["fields"][0]["field"] == "answer.label"
        assert submits[1]["status"] == "submitted"

        # 5. The export lists both tasks; the aggregates label every task.
        rows = list(csv.DictReader(io.StringIO(_output(steps, "assay export"))))
        assert sorted(r["unique_id"] for r in rows) == ["c1", "c2"]
        for command in ("assay aggregate docs/examples/answers.csv | head -7",
                        "assay aggregate docs/examples/answers.csv --method majority_vote "
                        "| head -7"):
            labels = list(csv.DictReader(io.StringIO(steps[command])))
            assert [r["task"] for r in labels] == [f"t{i}" for i in range(1, 7)]
            assert all(r["label"] in ("cat", "dog") for r in labels)

        # 6. Every worker of the sentiment project, a payout, the project's cost.
        workers = _output(steps, 'curl -s -H "Authorization: Bearer $DEMO_KEY" '
                                 '"$ASSAY_URL/v1/projects/$SENTIMENT/workers').splitlines()
        assert workers and all(line.startswith("wrk_") for line in workers)
        assert _output(steps, "curl -s -X POST -H").startswith("pay_")
        cost = json.loads(_output(steps, 'curl -s -H "Authorization: Bearer $DEMO_KEY" '
                                         "$ASSAY_URL/v1/projects/$SENTIMENT/cost"))
        assert cost["docs"][0]["currency"] == "USD"
    finally:
        demo.send_signal(signal.SIGTERM)  # SIGINT is ignored: SIGTERM must stop it
        demo.wait(30)
    assert demo.returncode == 0
