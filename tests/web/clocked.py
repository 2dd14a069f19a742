"""A server in this process (uvicorn in a thread) with a :class:`ManualClock`, for web
tests of time-dependent rules (sign-in back-off, idle sessions) that must not sleep."""

from __future__ import annotations

import threading
import time

import httpx
import uvicorn

from assay.app import create_app
from assay.clock import ManualClock
from assay.settings import Settings
from tests.support import TEST_ENV, free_port


class ClockedServer:
    def __init__(self, db_url: str, clock: ManualClock, env: dict[str, str]) -> None:
        settings = Settings.from_env({**TEST_ENV, "ASSAY_DATABASE_URL": db_url,
                                      "ASSAY_RUN_JOBS": "0", **env})
        self.port = free_port()
        app = create_app(settings, clock=clock)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ClockedServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("in-process server did not become ready")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
