"""A burst of completions against a slow receiver (50 ms a call), over real HTTP on SQLite
and PostgreSQL: every callback arrives exactly once, signed, and no more than
ASSAY_CALLBACK_CONCURRENCY_PER_HOST of them are ever in flight to the one host at once."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator

import pytest

from assay.callbacks.signing import verify
from assay.db.engine import Database
from assay.settings import Settings, SettingsError
from tests.support import Org, ServerProcess, categorize_project, make_org
from tests.test_callback_log import Receiver, log_of, wait_for

BOUND = 3
TASKS = 200


@pytest.fixture(scope="module")
def paced(db_url: str, db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    log = tmp_path_factory.mktemp("log") / "server.log"
    server = ServerProcess(db_url, env={"ASSAY_CALLBACK_CONCURRENCY_PER_HOST": str(BOUND)},
                           log_path=log).start()
    try:
        yield make_org(server.url, db, "Paced")
    finally:
        server.stop()


def test_a_burst_arrives_once_within_the_per_host_bound(paced: Org) -> None:
    receiver = Receiver(delay_s=0.05)
    try:
        project = categorize_project(paced, callback_url=receiver.url)
        created = paced.client.create_tasks(project["id"], [{"data": {"n": i}}
                                                            for i in range(TASKS)])
        assert created["created"] == TASKS

        def work() -> None:
            worker = paced.worker()
            while (offer := worker.next(project["id"])) is not None:
                worker.submit(offer["assignment_id"], {"label": "pos"})

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wait_for(lambda: len(receiver.calls) >= TASKS, timeout=300)
        docs = wait_for(lambda: (d := [x for x in log_of(paced, limit=1000)
                                       if x["status"] == "delivered"]) and len(d) >= TASKS
                        and d, timeout=60)
        arrived = Counter(json.loads(body)["task"]["id"] for _, body in receiver.calls)
        # Every callback once: nothing failed, so nothing was sent twice.
        assert len(arrived) == TASKS and set(arrived.values()) == {1}
        assert len(docs) == TASKS and {d["attempts"] for d in docs} == {1}
        assert all(verify(paced.webhook_secret, body, headers["Assay-Signature"])
                   for headers, body in receiver.calls)
        # Concurrent, but never past the bound.
        assert 1 < receiver.most_in_flight <= BOUND, receiver.most_in_flight
    finally:
        receiver.close()


def test_the_bound_is_a_whole_number_of_at_least_one() -> None:
    assert Settings.from_env({"ASSAY_CALLBACK_CONCURRENCY_PER_HOST": "5"}
                             ).callback_concurrency_per_host == 5
    with pytest.raises(SettingsError):
        Settings.from_env({"ASSAY_CALLBACK_CONCURRENCY_PER_HOST": "0"})
