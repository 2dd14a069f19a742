"""The requester's side over plain HTTP: the project form (validation, CSRF, who may use
it), the project page's figures and charts, and the task page."""

from __future__ import annotations

import re

import httpx

from tests.support import Org, categorize_project
from tests.web.support import (
    answer_with_new_workers,
    browser_client,
    form_token,
    page_token,
    signed_in_client,
    user_account,
    worker_account,
)

XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
ESCAPED = "&lt;script&gt;window.__pwned=1&lt;/script&gt;"


def _form(**fields: str) -> dict[str, str]:
    base = {"name": "Form project", "kind": "categorize", "labels": "pos\nneg\nneu",
            "instructions": "Pick **one**.", "overlap": "1"}
    base.update(fields)
    return base


def _post_form(http: httpx.Client, **fields: str) -> httpx.Response:
    token = form_token(http.get("/projects/new").text)
    return http.post("/projects/new", data={"csrf_token": token, **_form(**fields)})


def _field_errors(html: str, field: str) -> str:
    found = re.search(rf'<ul class="field-errors" id="{field}-errors" data-field="{field}">'
                      r"(.*?)</ul>", html, re.S)
    return found.group(1) if found else ""


def _project_names(org: Org) -> list[str]:
    return [p["name"] for p in org.client.list_projects(limit=1000)["docs"]]


def test_the_form_creates_a_project_and_redirects_to_it(org: Org) -> None:
    with signed_in_client(org.url, user_account(org)) as http:
        page = http.get("/projects/new")
        assert page.status_code == 200 and 'name="csrf_token"' in page.text
        response = _post_form(http, name="Made by form", labels="cat\n dog \n\nbird\n",
                              multiple="1", overlap="3", gold_rate="0.1",
                              min_worker_accuracy="0.7", per_task="0.05")
        assert response.status_code == 303
        location = response.headers["location"]
        assert re.fullmatch(r"/projects/prj_[0-9a-f]+", location)
        shown = http.get(location)
    project = org.client.get_project(location.rsplit("/", 1)[1])
    assert project["name"] == "Made by form" and project["kind"] == "categorize"
    assert project["params"] == {"labels": ["cat", "dog", "bird"], "multiple": True}
    assert project["instructions"] == "Pick **one**."
    assert project["quality"]["overlap"] == 3 and project["quality"]["gold_rate"] == 0.1
    assert project["quality"]["min_worker_accuracy"] == 0.7
    assert project["pay"]["per_task"] == "0.05"
    assert shown.status_code == 200 and "Made by form" in shown.text


def test_the_form_sets_workforce_currency_review_and_max_overlap(org: Org) -> None:
    with signed_in_client(org.url, user_account(org)) as http:
        response = _post_form(http, name="Crowd project", overlap="2", max_overlap="5",
                              target_confidence="0.9", review_rate="0.1", per_task="0.02",
                              currency="EUR", workforce="crowd")
        assert response.status_code == 303
        bad = _post_form(http, name="Bad", currency="eur", workforce="everyone")
        below = _post_form(http, name="Bad", overlap="3", max_overlap="2")
    assert "overlap" in _field_errors(below.text, "max_overlap")
    project = org.client.get_project(response.headers["location"].rsplit("/", 1)[1])
    assert project["workforce"] == "crowd" and project["pay"]["currency"] == "EUR"
    assert project["quality"]["max_overlap"] == 5 and project["quality"]["review_rate"] == 0.1
    assert bad.status_code == 422
    assert _field_errors(bad.text, "currency") and _field_errors(bad.text, "workforce")
    assert "Bad" not in _project_names(org)


def test_advanced_params_make_a_rate_project(org: Org) -> None:
    with signed_in_client(org.url, user_account(org)) as http:
        response = _post_form(http, name="Rated", kind="rate", labels="",
                              params='{"min": 1, "max": 3}')
    assert response.status_code == 303
    project = org.client.get_project(response.headers["location"].rsplit("/", 1)[1])
    assert project["params"] == {"min": 1, "max": 3, "criteria": []}


def test_schema_errors_are_shown_next_to_their_fields_and_the_input_is_kept(org: Org) -> None:
    with signed_in_client(org.url, user_account(org)) as http:
        response = _post_form(http, name="", overlap="0", gold_rate="2", per_task="abc",
                              instructions="keep me " + XSS, labels="a\nb")
    assert response.status_code == 422
    html = response.text
    assert 'id="form-error"' in html
    assert "is required" in _field_errors(html, "name")
    assert "greater than or equal to 1" in _field_errors(html, "overlap")
    assert "less than or equal to 1" in _field_errors(html, "gold_rate")
    assert "decimal" in _field_errors(html, "per_task")
    assert 'id="f-overlap" name="overlap" inputmode="numeric" value="0" aria-invalid="true"' in html
    assert f"keep me {ESCAPED}" in html and "<script>window.__pwned" not in html
    assert ">a\nb</textarea>" in html


def test_kind_errors_are_shown_next_to_the_labels(org: Org) -> None:
    name = "dup labels " + XSS
    with signed_in_client(org.url, user_account(org)) as http:
        duplicate = _post_form(http, name=name, labels="same\nsame")
        empty = _post_form(http, name=name, kind="spans", labels="")
        bad_json = _post_form(http, name=name, params="{nope")
    assert duplicate.status_code == 422 and _field_errors(duplicate.text, "labels")
    assert "same\nsame</textarea>" in duplicate.text
    assert "<script>window.__pwned" not in duplicate.text and ESCAPED in duplicate.text
    assert empty.status_code == 422 and _field_errors(empty.text, "labels")
    assert '<option value="spans" selected>' in empty.text
    assert "not valid JSON" in _field_errors(bad_json.text, "params")
    assert name not in _project_names(org)


def test_the_form_requires_the_session_csrf_token(org: Org) -> None:
    with signed_in_client(org.url, user_account(org)) as http:
        missing = http.post("/projects/new", data=_form(name="no token"))
        wrong = http.post("/projects/new", data={"csrf_token": "x" * 43,
                                                 **_form(name="wrong token")})
    assert missing.status_code == 403 and wrong.status_code == 403
    names = _project_names(org)
    assert "no token" not in names and "wrong token" not in names


def test_workers_and_strangers_cannot_create_projects(org: Org) -> None:
    with signed_in_client(org.url, worker_account(org)) as http:
        assert http.get("/projects/new").status_code == 403
        token = page_token(http.get("/work").text)
        refused = http.post("/projects/new", data={"csrf_token": token,
                                                   **_form(name="by a worker")})
    assert refused.status_code == 403
    with browser_client(org.url) as http:
        anonymous = http.post("/projects/new", data=_form(name="by nobody"))
        assert http.get("/projects/new").headers["location"].startswith("/login?next=")
    assert anonymous.status_code == 303
    names = _project_names(org)
    assert "by a worker" not in names and "by nobody" not in names


def test_the_task_page_shows_data_answers_and_result(org: Org, other_org: Org) -> None:
    project = categorize_project(org, name="Task page", quality={"overlap": 2})
    task = org.client.create_task(project["id"], {"text": XSS, "n": 1}, unique_id="u-1")
    answer_with_new_workers(org, project["id"], ["neg", "neg"])
    done = org.client.get_task(task["id"], include_responses=True)
    assert done["status"] == "completed"
    theirs = categorize_project(other_org)
    their_task = other_org.client.create_task(theirs["id"], {"text": "secret"})
    with signed_in_client(org.url, user_account(org)) as http:
        project_html = http.get(f"/projects/{project['id']}").text
        html = http.get(f"/projects/{project['id']}/tasks/{task['id']}").text
        foreign = http.get(f"/projects/{theirs['id']}/tasks/{their_task['id']}")
        mixed = http.get(f"/projects/{project['id']}/tasks/{their_task['id']}")
        missing = http.get(f"/projects/{project['id']}/tasks/tsk_missing")
    assert f'href="/projects/{project["id"]}/tasks/{task["id"]}"' in project_html
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    data = re.search(r'<pre class="json" id="task-data">(.*?)</pre>', html, re.S)
    assert data and "&lt;script&gt;" in data.group(1) and '&#34;n&#34;: 1' in data.group(1)
    for r in done["responses"]:
        assert f'<tr data-worker="{r["worker_id"]}">' in html
    assert html.count("&#34;label&#34;: &#34;neg&#34;") >= 3  # two answers and the result
    assert re.search(r'id="result-confidence">\d\.\d{3}<', html)
    assert 'id="review-status">none<' in html and 'id="task-status">completed<' in html
    for response in (foreign, mixed, missing):
        assert response.status_code == 404 and "secret" not in response.text


def test_the_project_page_shows_pace_workers_and_charts(org: Org) -> None:
    label = "pos " + XSS
    project = categorize_project(org, name="Figures",
                                 params={"labels": [label, "neg", "neu"]},
                                 pay={"per_task": "0.10", "currency": "USD"})
    org.client.create_tasks(project["id"], [{"data": {"text": str(i)}} for i in range(5)])
    answer_with_new_workers(org, project["id"], [label, label, "neg"])
    with signed_in_client(org.url, user_account(org)) as http:
        html = http.get(f"/projects/{project['id']}").text
        dashboard = http.get("/").text
    assert re.search(r'data-status="completed"><a [^>]*>completed</a>: '
                     r'<strong data-fig="count-completed">3<', html)
    assert 'id="answers-24h">3<' in html and 'id="answers-left">2<' in html
    # Three answers seconds apart: a rate over a minute at least (180 an hour or more), not
    # over an hour; the two answers left take a minute at most at that rate.
    per_hour = re.search(r'id="answers-per-hour">([\d.]+)<', html)
    assert per_hour and float(per_hour.group(1)) >= 180.0
    assert re.search(r'id="eta">(under a minute|1 min)<', html)
    assert 'id="completed-24h">3<' in html
    bars = re.findall(r'<svg class="chart" id="chart-completions".*?</svg>', html, re.S)
    assert bars and sum(int(n) for n in re.findall(r'data-count="(\d+)"', bars[0])) == 3
    assert re.search(r'<g class="row" data-label="pos &lt;script&gt;[^"]*" data-count="2">', html)
    assert '<g class="row" data-label="neg" data-count="1">' in html
    assert '<g class="row" data-label="neu" data-count="0">' in html
    assert "<script>window.__pwned" not in html
    assert 'data-field="total">0.30<' in html and 'data-field="unpaid">0.30<' in html
    workers = re.findall(r'<tr data-worker="(wrk_[^"]+)">(.*?)</tr>', html, re.S)
    assert len(workers) == 3
    for _, row in workers:
        assert '<td class="num" data-field="answers">1</td>' in row
        assert '<td data-field="status">active</td>' in row
    row = re.search(rf'<tr data-project="{project["id"]}">(.*?)</tr>', dashboard, re.S)
    assert row and re.search(r'data-field="answers-per-hour">[\d.]+<', row.group(1))

