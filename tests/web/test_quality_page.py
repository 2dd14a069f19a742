"""The project's quality page over HTTP: the figures /quality computes, as tables and
server-drawn charts; tasks flagged for review; the dashboard's quality column."""

from __future__ import annotations

import re

from tests.support import Org, categorize_project
from tests.web.support import signed_in_client, user_account

XSS = "<script>window.__pwned=1</script>"


def _figure(html: str, field: str) -> str:
    found = re.search(rf'data-field="{field}">([^<]*)<', html)
    assert found, field
    return found.group(1)


def test_the_quality_page_shows_agreement_workers_charts_and_review(org: Org,
                                                                    other_org: Org) -> None:
    label = "pos " + XSS
    project = categorize_project(org, name="Quality", params={"labels": [label, "neg"]},
                                 quality={"overlap": 2, "review_rate": 1.0})
    org.client.create_tasks(project["id"], [{"data": {"text": f"t{i}"}} for i in range(3)])
    workers = [org.worker(), org.worker()]
    answers = [[label, label, "neg"], [label, "neg", "neg"]]
    for worker, labels in zip(workers, answers, strict=True):
        for given in labels:
            offer = worker.next(project["id"])
            assert offer is not None
            worker.submit(offer["assignment_id"], {"label": given})
    expected = org.http().get(f"/v1/projects/{project['id']}/quality").json()
    text_kind = org.client.create_project(name="Free text", kind="text", params={})
    theirs = categorize_project(other_org)
    with signed_in_client(org.url, user_account(org, "viewer")) as http:
        html = http.get(f"/projects/{project['id']}/quality").text
        note = http.get(f"/projects/{text_kind['id']}/quality").text
        foreign = http.get(f"/projects/{theirs['id']}/quality")
        dashboard = http.get("/").text
    assert _figure(html, "n_tasks") == "3" and _figure(html, "n_answers") == "6"
    assert _figure(html, "percent") == f"{expected['agreement']['percent']:.3f}"
    kappa = expected["agreement"]["fleiss_kappa"]
    assert _figure(html, "fleiss_kappa") == ("\u2013" if kappa is None else f"{kappa:.3f}")
    for w in expected["workers"]:
        row = re.search(rf'<tr data-worker="{w["worker_id"]}">(.*?)</tr>', html, re.S)
        assert row and f'{w["estimated_accuracy"] * 100:.0f}%' in row.group(1)
        assert f'id="confusion-{w["worker_id"]}"' in row.group(1)
    for chart in ("chart-priors", "chart-recall", "chart-workers", "chart-calibration"):
        assert f'<svg class="chart" id="{chart}"' in html
    assert re.search(r'<g class="row" data-label="pos &lt;script&gt;[^"]*" data-value="\d+%"',
                     html)
    assert XSS not in html and 'id="no-calibration"' in html
    flagged = re.findall(r'<tr data-task="(tsk_[^"]+)">', html)
    assert len(flagged) == 3  # review_rate 1: every completed task waits for a reviewer
    assert 'id="quality-note"' in note and "categorical" in note
    assert foreign.status_code == 404
    row = re.search(rf'<tr data-project="{project["id"]}">(.*?)</tr>', dashboard, re.S)
    assert row and 'data-field="to-review">3 to review<' in row.group(1)
    entries = org.http().get("/v1/audit", params={"action": "task.list",
                                                   "object": project["id"]}).json()["docs"]
    assert entries and entries[-1]["actor"]["type"] == "user"
