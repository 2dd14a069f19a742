"""Keypress to next task: how long a worker waits between answering and seeing the next
task, measured in headless Chromium against ``assay serve`` over loopback.

    python bench/ui/run.py [--tasks 50]

A worker signs in and answers ``--tasks`` categorize tasks with the ``1`` key. The page
itself measures each one: from the keydown event (capture phase) to the first animation
frame after the next task is in place (``#task`` ready with a new assignment). Printed:
median, p90 and max. Target: median under 100 ms.

It runs twice in the same session: with the page's undo window on (the default: each answer
is held in the page and sent with the next one, docs/worker-page.md) and off (each answer
sent at once, the page before undo), and prints the first as a ratio of the second.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from assay.accounts import service as accounts
from assay.client import Client
from assay.db.engine import Database
from assay.db.migrate import upgrade

CHROMIUM = "/usr/bin/chromium"
PROBE = """
() => {
  const task = document.getElementById('task');
  window.__lat = [];
  window.__last = task.dataset.assignment;
  document.addEventListener('keydown', () => { window.__t0 = performance.now(); }, true);
  new MutationObserver(() => {
    if (task.dataset.state === 'ready' && task.dataset.assignment !== window.__last
        && window.__t0 != null) {
      window.__last = task.dataset.assignment;
      const t0 = window.__t0;
      window.__t0 = null;
      requestAnimationFrame(() => window.__lat.push(performance.now() - t0));
    }
  }).observe(task, {attributes: true});
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=50)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="assay-ui-bench-"))
    url = f"sqlite:///{workdir / 'assay.db'}"
    upgrade(url)
    db = Database(url)
    org = db.write(lambda s: accounts.create_org(s, "Bench"))
    password = "keyboard-first-1"
    db.write(lambda s: accounts.create_worker(s, "worker@bench.local", org.org_id, password))
    db.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "assay.cli", "serve", "--db", url,
                               "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.STDOUT, env={**os.environ})
    try:
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        client = Client(base, org.api_key)
        projects = {}
        for name, limits in (("undo on", {}), ("undo off", {"undo_seconds": 0})):
            project = client.create_project(name=name, kind="categorize", limits=limits,
                                            params={"labels": ["pos", "neg", "neu"]})
            client.create_tasks(project["id"], [{"data": {"text": f"review {i}"}}
                                                for i in range(args.tasks + 5)])
            projects[name] = project["id"]
        latencies = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(base_url=base)
            page.goto("/login?next=/work")
            page.fill('input[name="email"]', "worker@bench.local")
            page.fill('input[name="password"]', password)
            page.click('form.stack button[type="submit"]')
            page.wait_for_url("**/work")
            for name, project_id in projects.items():
                page.goto(f"/work/{project_id}")
                page.wait_for_selector('#task[data-state="ready"]')
                page.evaluate(PROBE)
                for i in range(args.tasks):
                    page.keyboard.press("1")
                    # Poll from outside (the page's CSP forbids wait_for_function's eval);
                    # the timing itself is taken inside the page.
                    while page.evaluate("() => window.__lat.length") <= i:
                        time.sleep(0.005)
                latencies[name] = sorted(page.evaluate("window.__lat"))
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    print(f"keypress to next task visible, {args.tasks} tasks each, Chromium over loopback:")
    for name, lat in latencies.items():
        print(f"  {name:8}  median {statistics.median(lat):.1f} ms"
              f"   p90 {lat[int(0.9 * len(lat)) - 1]:.1f} ms   max {lat[-1]:.1f} ms")
    ratio = statistics.median(latencies["undo on"]) / statistics.median(latencies["undo off"])
    print(f"  undo on / undo off (medians): {ratio:.2f}   (target: median under 100 ms)")


if __name__ == "__main__":
    main()
