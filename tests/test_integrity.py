"""Integrity signals: too-fast answers and colluding pairs get flagged by the server."""

from __future__ import annotations

import time

from tests.support import Org, categorize_project


def test_answers_under_the_floor_are_flagged(org: Org) -> None:
    project = categorize_project(org, limits={"min_seconds_per_task": 30})
    org.client.create_tasks(project["id"], [{"data": {"n": i}} for i in range(3)])
    worker = org.worker()
    while (offer := worker.next(project["id"])) is not None:
        worker.submit(offer["assignment_id"], {"label": "pos"})
    with org.http() as http:
        flags = http.get(f"/v1/projects/{project['id']}/flags").json()["docs"]
    assert [f["kind"] for f in flags] == ["too_fast"] * 3
    assert all(f["detail"]["duration_ms"] < f["detail"]["floor_ms"] == 30_000 for f in flags)
    [row] = org.client.iter_workers(project["id"])
    assert row["flags"] == 3


def test_a_colluding_pair_is_flagged_and_honest_workers_are_not(org: Org) -> None:
    labels = ["pos", "neg", "neu"]
    project = categorize_project(org, quality={"overlap": 4, "gold_rate": 0.3})
    for i in range(6):
        org.client.add_gold(project["id"], {"text": f"g{i}"}, {"label": "pos"})
    org.client.create_tasks(project["id"], [{"data": {"text": f"t{i}", "truth": i % 3}}
                                            for i in range(24)])
    honest = [org.worker() for _ in range(2)]
    colluders = [org.worker() for _ in range(2)]
    for _ in range(40):
        for worker in [*honest, *colluders]:
            offer = worker.next(project["id"])
            if offer is None:
                continue
            data = offer["data"]
            if worker in colluders:
                label = "neu"  # the pair's agreed answer, right or wrong
            else:
                label = labels[data["truth"]] if "truth" in data else "pos"
            worker.submit(offer["assignment_id"], {"label": label})
    ids = {w.me()["worker_id"] for w in colluders}
    deadline = time.monotonic() + 20
    flags: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        with org.http() as http:
            flags = http.get(f"/v1/projects/{project['id']}/flags").json()["docs"]
        if any(f["kind"] == "collusion" for f in flags):
            break
        time.sleep(0.3)
    collusion = [f for f in flags if f["kind"] == "collusion"]
    assert {f["worker_id"] for f in collusion} == ids
    assert {f["other_worker_id"] for f in collusion} == ids
    assert all(f["detail"]["same_wrong_gold"] >= 2 for f in collusion)  # type: ignore[index]
