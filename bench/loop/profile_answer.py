"""Where the server's CPU per answer goes: next + submit profiled inside the app.

    python bench/loop/profile_answer.py                       # SQLite, 600 answers
    python bench/loop/profile_answer.py --answers 2000 --sort cumulative --top 60
    python bench/loop/profile_answer.py --db postgresql://postgres@127.0.0.1/x  # empty db

``cpu_per_answer.py`` measures the figure on a real server process; this finds what makes
it up. It builds the app in this process on a fresh database, seeds a categorize project at
overlap 1 through the API, and sends next → submit through the whole ASGI stack (every
middleware, routing, validation, the services, the ORM, the commit) without a socket. Sync
routes run inline instead of on the thread pool, so that cProfile (which follows one
thread) sees them; the thread hand-off is the one server cost left out. Printed: CPU
milliseconds and SQL statements per answer without the profiler, then the profile of half
as many answers more (``--out FILE`` keeps it for ``python -m pstats``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread
from sqlalchemy import event

from assay import wiring
from assay.accounts import service as accounts
from assay.app import create_app
from assay.db.engine import Database
from assay.db.migrate import upgrade
from assay.settings import Settings

Call = Callable[[str, str, Any, str], Awaitable[tuple[int, Any]]]


async def _inline(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
    return func(*args)


def asgi_caller(app: Any) -> Call:
    """``call(method, path, json_body, bearer) -> (status, json)`` straight into the app."""
    async def call(method: str, path: str, body: Any, bearer: str) -> tuple[int, Any]:
        raw = json.dumps(body).encode() if body is not None else b""
        headers = [(b"host", b"bench"), (b"authorization", f"Bearer {bearer}".encode())]
        if body is not None:
            headers += [(b"content-type", b"application/json"),
                        (b"content-length", str(len(raw)).encode())]
        scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
                 "query_string": b"", "headers": headers, "client": ("127.0.0.1", 1),
                 "server": ("127.0.0.1", 80), "scheme": "http", "http_version": "1.1",
                 "root_path": "", "asgi": {"version": "3.0"}, "state": {}}
        sent: list[dict[str, Any]] = []
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if delivered:  # the body was read: wait, as a client that keeps the line open
                await asyncio.sleep(3600)
            delivered = True
            return {"type": "http.request", "body": raw, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        payload = b"".join(m.get("body", b"") for m in sent[1:])
        return sent[0]["status"], json.loads(payload) if payload else None

    return call


async def run(args: argparse.Namespace) -> None:
    url = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='assay-profile-')}/assay.db"
    upgrade(url)
    wiring.install()
    db = Database(url)
    app = create_app(Settings.from_env({"ASSAY_DATABASE_URL": url, "ASSAY_RUN_JOBS": "0"}), db)
    org = db.write(lambda s: accounts.create_org(s, "Bench"))
    _, token = db.write(lambda s: accounts.create_worker(s, "bench@example.com", org.org_id))
    call = asgi_caller(app)
    status, project = await call("POST", "/v1/projects", {
        "name": "bench", "kind": "categorize", "params": {"labels": ["pos", "neg", "neu"]},
        "quality": {"overlap": 1}}, org.api_key)
    assert status == 201, project
    tasks = [{"data": {"text": f"item {i}"}} for i in range(args.answers * 2 + 50)]
    for start in range(0, len(tasks), 1000):
        status, created = await call("POST", "/v1/tasks/bulk", {
            "project": project["id"], "tasks": tasks[start:start + 1000]}, org.api_key)
        assert status == 200, created

    async def answer() -> None:
        status, offer = await call("POST", "/v1/work/next", {"project": project["id"]}, token)
        assert status == 200, offer
        status, done = await call("POST", f"/v1/work/{offer['assignment_id']}/submit",
                                  {"answer": {"label": "pos"}}, token)
        assert status == 200, done

    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    for _ in range(50):  # warm: caches, first imports
        await answer()
    if args.show_sql:
        shown: list[str] = []
        listener = lambda *a: shown.append(" ".join(str(a[2]).split())[:160])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        await answer()
        event.remove(db.engine, "before_cursor_execute", listener)
        print(f"the {len(shown)} statements of one answer (next, then submit):")
        for number, text in enumerate(shown, 1):
            print(f"{number:3}. {text}")
    event.listen(db.engine, "before_cursor_execute", count)
    cpu = time.process_time()
    for _ in range(args.answers):
        await answer()
    cpu = time.process_time() - cpu
    event.remove(db.engine, "before_cursor_execute", count)
    print(f"{1000 * cpu / args.answers:.2f} ms CPU and {statements / args.answers:.1f} SQL "
          f"statements per answer (next + submit, in process, no profiler) over "
          f"{args.answers} answers", flush=True)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.answers // 2):
        await answer()
    profile.disable()
    db.dispose()
    if args.out:
        profile.dump_stats(args.out)
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=600)
    parser.add_argument("--show-sql", action="store_true",
                        help="first print the SQL statements of one answer")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file); a "
                                     "PostgreSQL database must be empty")
    parser.add_argument("--sort", default="tottime", help="pstats order (default tottime)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", help="also write the profile to this file")
    args = parser.parse_args()
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]  # see the docstring
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
