"""``assay serve`` says where it listens and when it is ready, refuses a busy port with the
way out, and never prints a database password."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from assay.server import _shown
from tests.support import free_port


def _serve(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "assay.cli", "serve", "--port", str(port),
         "--db", f"sqlite:///{tmp_path / 'serve.db'}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={k: v for k, v in os.environ.items() if k != "ASSAY_DATABASE_URL"})


def test_serve_prints_its_address_and_a_ready_line(tmp_path: Path) -> None:
    port = free_port()
    proc = _serve(tmp_path, port)
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("Ready:"):
            line = proc.stdout.readline()
            assert line, f"serve exited: {lines}"
            lines.append(line.strip())
        starting = next(line for line in lines if line.startswith("Assay "))
        assert f"starting on http://127.0.0.1:{port}" in starting
        assert "jobs on" in starting and "serve.db" in starting
        assert f"http://127.0.0.1:{port}/docs" in lines[-1]
    finally:
        proc.terminate()
        proc.wait(30)


def test_a_busy_port_is_refused_with_the_way_out(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = _serve(tmp_path, port)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert f"127.0.0.1:{port} is already in use" in out and "--port" in out
    assert "Traceback" not in out


def test_a_printed_database_url_hides_its_password() -> None:
    assert _shown("postgresql://app:s3cret@db:5432/assay") == "postgresql://app:***@db:5432/assay"
    assert _shown("postgresql://app@db/assay") == "postgresql://app@db/assay"
    assert _shown("sqlite:///x.db") == "sqlite:///x.db"
