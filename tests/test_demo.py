"""``assay demo``: the first command a newcomer runs starts, seeds, and tasks complete."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import free_port


def test_the_demo_serves_and_its_crowd_completes_tasks(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "assay.cli", "demo", "--port", str(port), "--items", "30",
         "--workers", "6"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={k: v for k, v in os.environ.items() if k != "ASSAY_DATABASE_URL"},
    )
    try:
        banner = ""
        assert proc.stdout is not None
        while "Press Ctrl+C" not in banner:
            line = proc.stdout.readline()
            assert line, f"demo exited early: {banner}"
            banner += line
        key = re.search(r"API key\s+(ak_\S+)", banner)
        assert key is not None
        headers = {"Authorization": f"Bearer {key.group(1)}"}
        deadline = time.monotonic() + 90
        completed = 0
        while time.monotonic() < deadline and completed < 3:
            projects = httpx.get(f"http://127.0.0.1:{port}/v1/projects", headers=headers).json()
            completed = sum(p["counts"]["completed"] for p in projects["docs"])
            time.sleep(0.5)
        assert len(projects["docs"]) == 3
        # The chat project's replies come from the stand-in the demo started, and say so.
        assert "NOT a model" in banner and "no model weights" in banner
        chat = next(p for p in projects["docs"] if p["kind"] == "chat")
        assert chat["counts"]["pending"] == 6
        models = httpx.get(f"http://127.0.0.1:{port}/v1/models", headers=headers).json()
        assert [m["id"] for m in models["docs"]] == chat["params"]["models"]
        called = httpx.post(f"http://127.0.0.1:{port}/v1/models/{chat['params']['models'][0]}"
                            "/test", headers=headers, timeout=30)
        assert called.status_code == 200 and called.json()["content"].startswith(
            "stand-in reply")
        assert completed >= 3
        assert (tmp_path / "assay-demo.db").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    assert proc.returncode == 0
