"""Pre-labels as suggestions over real HTTP on SQLite and PostgreSQL: with the project's
switch on, a worker's offer of a live task carries the label its uploaded prediction
favours; a gold task never does (its check is served through the same offer, and a
prediction for it is refused); with the switch off no offer does."""

from __future__ import annotations

from tests.support import Org, categorize_project


def test_suggestions_on_live_tasks_never_on_gold(org: Org) -> None:
    project = categorize_project(org, name="suggest",
                                 quality={"overlap": 1, "gold_rate": 1.0,
                                          "min_worker_accuracy": 0},
                                 curation={"suggestions": True})["id"]
    gold = org.client.add_gold(project, {"text": "gold item"}, {"label": "neg"})
    live = [org.client.create_task(project, {"text": f"live {i}"})["id"] for i in range(3)]
    with org.http() as http:
        r = http.post(f"/v1/projects/{project}/predictions", json={"predictions": [
            {"task_id": gold["id"], "probabilities": {"neg": 1.0}}]})
        assert r.status_code == 422 and "predictions[0].task_id" in r.text
        assert http.post(f"/v1/projects/{project}/predictions", json={"predictions": [
            {"task_id": t, "probabilities": {"pos": 0.7, "neg": 0.2, "neu": 0.1}}
            for t in live[:2]]}).status_code == 200
    worker = org.worker()
    seen: dict[str, object] = {}
    for _ in range(3):
        offer = worker.next(project)
        assert offer is not None
        seen[offer["data"]["text"]] = offer.get("suggestion")
        worker.submit(offer["assignment_id"], {"label": "neg"})
    assert seen["gold item"] is None
    shown = [s for text, s in seen.items() if text != "gold item"]
    assert shown == [{"label": "pos", "probability": 0.7}] * 2
    org.client.update_project(project, curation={"suggestions": False},
                              quality={"gold_rate": 0})
    with org.http() as http:
        http.post(f"/v1/projects/{project}/predictions", json={"predictions": [
            {"task_id": live[2], "probabilities": {"neu": 1.0}}]})
    last = org.worker().next(project)
    assert last is not None and last["data"]["text"] == "live 2"
    assert "suggestion" not in last
