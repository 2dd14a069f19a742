"""Time and chance are injected: a lease expires and a gold check is drawn because the test
says so, not because it slept or got lucky (SQLite and PostgreSQL, real HTTP on loopback).

The server runs in this process (uvicorn in a thread) with a :class:`ManualClock` and a
random source the test controls; everything else is the app as ``assay serve`` builds it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from assay.client import Conflict
from assay.clock import ManualClock
from assay.db.engine import Database
from tests.support import InProcessServer, Org, categorize_project, make_org


class FixedDraw(random.Random):
    """A random source whose ``random()`` always answers ``value``."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def draw() -> FixedDraw:
    return FixedDraw(0.99)


@pytest.fixture(scope="module")
def live(db_url: str, clock: ManualClock, draw: FixedDraw) -> Iterator[InProcessServer]:
    server = InProcessServer(db_url, clock, rng=draw).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def acme(live: InProcessServer, db: Database) -> Org:
    return make_org(live.url, db, "Acme")


def test_an_expired_lease_returns_its_slot(acme: Org, clock: ManualClock) -> None:
    project = categorize_project(acme, lease_seconds=60)
    task = acme.client.create_task(project["id"], {"text": "x"})
    slow, other = acme.worker(), acme.worker()
    offer = slow.next(project["id"])
    assert offer is not None
    assert other.next(project["id"]) is None  # the only slot is taken
    clock.advance(59)
    assert other.next(project["id"]) is None  # one second left on the lease
    clock.advance(2)
    with pytest.raises(Conflict) as excinfo:
        slow.submit(offer["assignment_id"], {"label": "pos"})
    assert excinfo.value.code == "assignment_expired"
    offer2 = other.next(project["id"])
    assert offer2 is not None and offer2["data"] == {"text": "x"}
    other.submit(offer2["assignment_id"], {"label": "neg"})
    assert acme.client.get_task(task["id"])["status"] == "completed"
    assert slow.next(project["id"]) is None  # never the same task again, after expiry


def test_the_gold_draw_follows_the_random_source(acme: Org, draw: FixedDraw) -> None:
    project = categorize_project(acme, quality={"gold_rate": 0.5, "overlap": 2})
    acme.client.create_task(project["id"], {"text": "live"})
    acme.client.add_gold(project["id"], {"text": "gold"}, {"label": "pos"})
    draw.value = 0.99  # above the rate: live work
    offer = acme.worker().next(project["id"])
    assert offer is not None and offer["data"] == {"text": "live"}
    draw.value = 0.0  # below the rate: the hidden check
    offer = acme.worker().next(project["id"])
    assert offer is not None and offer["data"] == {"text": "gold"}


def test_a_held_answer_leases_the_next_task_beside_it(acme: Org, clock: ManualClock) -> None:
    """The labeling page's undo (docs/worker-page.md): the page holds an answer back and
    asks for the next task ``holding`` the answered one. The held assignment is not handed
    back, a worker holds at most two live assignments, the overlap still holds, and the
    measured time stops when the hold began."""
    project = categorize_project(acme)
    ids = [acme.client.create_task(project["id"], {"text": str(i)})["id"] for i in range(4)]
    worker, other = acme.worker(), acme.worker()
    token = {"Authorization": worker._http.headers["Authorization"]}
    first = worker.next(project["id"])
    assert first is not None
    clock.advance(4)
    with acme.http() as http:
        def call(path: str, body: dict[str, object]) -> dict[str, object]:
            response = http.post(path, json=body, headers=token)
            assert response.status_code == 200, response.text
            out: dict[str, object] = response.json()
            return out

        held = first["assignment_id"]
        beside = call("/v1/work/next", {"project": project["id"], "holding": held})
        assert beside["assignment_id"] != held
        # Asked again, it is the same second task: never a third live one.
        assert call("/v1/work/next", {"project": project["id"], "holding": held}) == beside
        # Holding the second, the first (still live) comes back: at most two at once.
        again = call("/v1/work/next", {"project": project["id"], "holding": beside[
            "assignment_id"]})
        assert again["assignment_id"] == held
        # The other worker takes the third task; the overlap (1) leaves nothing more.
        third = other.next(project["id"])
        assert third is not None and other.next(project["id"]) == third
        clock.advance(10)
        # The held answer is sent; the receipt's next task is leased beside the new hold.
        receipt = call(f"/v1/work/{held}/submit", {
            "answer": {"label": "pos"}, "next": True, "holding": beside["assignment_id"]})
        last = receipt["next"]
        assert isinstance(last, dict)
        assert last["assignment_id"] not in (held, beside["assignment_id"])
        skipped = call(f"/v1/work/{last['assignment_id']}/skip",
                       {"next": True, "holding": beside["assignment_id"]})
        assert skipped["next"] is None  # nothing left beside the held one
    other.submit(third["assignment_id"], {"label": "neg"})
    task = acme.client.get_task(ids[int(str(first["data"]["text"]))], include_responses=True)
    # 4 s from the lease to the hold; the 10 s of holding are not counted.
    assert [r["duration_ms"] for r in task["responses"]] == [4000]

