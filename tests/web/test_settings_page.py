"""The settings page over HTTP: the form shows everything PATCH changes (the kind's params
as fields), saves through the same rules, shows the API's errors by their fields and keeps
what was typed; the preview of the worker's page for the settings being typed."""

from __future__ import annotations

import json
import re

import httpx

from tests.support import Org, categorize_project
from tests.web.support import form_token, signed_in_client, user_account

XSS = "<script>window.__pwned=1</script>"


def _errors(html: str, field: str) -> str:
    found = re.search(rf'<ul class="field-errors" id="{field}-errors" data-field="{field}">'
                      r"(.*?)</ul>", html, re.S)
    return found.group(1) if found else ""


def _save(http: httpx.Client, project_id: str, **fields: str) -> httpx.Response:
    page = http.get(f"/projects/{project_id}/settings").text
    values = dict(re.findall(r'<input id="f-[^"]+" name="([^"]+)"[^>]*value="([^"]*)"', page))
    values.update({m[0]: m[1] for m in re.findall(
        r'<textarea id="f-[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', page)})
    values.update(fields)
    return http.post(f"/projects/{project_id}/settings",
                     data={"csrf_token": form_token(page), **values})


def test_settings_save_through_the_api_rules_and_show_errors_by_field(org: Org) -> None:
    project = categorize_project(org, name="Settings", params={"labels": ["pos", "neg"]},
                                 quality={"overlap": 2})
    with signed_in_client(org.url, user_account(org)) as http:
        page = http.get(f"/projects/{project['id']}/settings").text
        saved = _save(http, project["id"], name="Renamed", labels="pos\nneg\nneu",
                      overlap="3", max_overlap="4", per_task="0.07",
                      lease_seconds="120", answers_per_minute="30",
                      instructions="Read " + XSS)
        bad = _save(http, project["id"], name="", lease_seconds="soon", labels="a\na",
                    answers_per_minute="0", multiple="1")
        below = _save(http, project["id"], overlap="5", max_overlap="2")
    assert ">pos\nneg</textarea>" in page and 'value="2"' in page
    assert saved.status_code == 303, saved.text[-2000:]
    got = org.client.get_project(project["id"])
    assert got["name"] == "Renamed" and got["params"] == {"labels": ["pos", "neg", "neu"],
                                                          "multiple": False}
    assert got["quality"]["overlap"] == 3 and got["quality"]["max_overlap"] == 4
    assert got["pay"]["per_task"] == "0.07" and got["lease_seconds"] == 120
    assert got["limits"]["answers_per_minute"] == 30
    assert got["instructions"] == "Read " + XSS
    assert bad.status_code == 422
    html = bad.text
    assert "is required" in _errors(html, "name")
    assert "integer" in _errors(html, "lease_seconds")
    assert "greater than or equal to 1" in _errors(html, "answers_per_minute")
    assert ">a\na</textarea>" in html and XSS not in html
    assert below.status_code == 422 and "overlap" in _errors(below.text, "max_overlap")
    assert org.client.get_project(project["id"])["name"] == "Renamed"


def test_a_viewer_reads_the_settings_and_cannot_save_them(org: Org) -> None:
    project = categorize_project(org, name="Read only")
    with signed_in_client(org.url, user_account(org, "viewer")) as http:
        page = http.get(f"/projects/{project['id']}/settings")
        refused = http.post(f"/projects/{project['id']}/settings",
                            data={"csrf_token": form_token(page.text), "name": "changed"})
    assert page.status_code == 200 and 'id="read-only"' in page.text
    assert '<fieldset class="plain" disabled>' in page.text
    assert refused.status_code == 403
    assert org.client.get_project(project["id"])["name"] == "Read only"


def test_the_preview_draws_the_settings_being_typed(org: Org, other_org: Org) -> None:
    project = categorize_project(org, name="Preview", params={"labels": ["pos", "neg"]})
    org.client.create_task(project["id"], {"text": "first " + XSS})
    rate = org.client.create_project(name="Rated", kind="rate", params={"min": 1, "max": 5})
    theirs = categorize_project(other_org)
    with signed_in_client(org.url, user_account(org, "viewer")) as http:
        current = http.get(f"/projects/{project['id']}/preview")
        typed = http.get(f"/projects/{project['id']}/preview",
                         params={"labels": "yes\nno\nmaybe", "multiple": "1"})
        wrong = http.get(f"/projects/{project['id']}/preview", params={"labels": "a\na"})
        rubric = http.get(f"/projects/{rate['id']}/preview",
                          params={"min": "1", "max": "7", "rubric": "fluency | reads well"})
        foreign = http.get(f"/projects/{theirs['id']}/preview")
        settings = http.get(f"/projects/{project['id']}/settings")

    def offer(response: httpx.Response) -> dict[str, object]:
        found = re.search(r'data-offer="([^"]*)"', response.text)
        assert found, response.text[-1500:]
        raw = found.group(1).replace("&#34;", '"').replace("&lt;", "<").replace("&gt;", ">")
        loaded: dict[str, object] = json.loads(raw.replace("&#39;", "'").replace("&amp;", "&"))
        return loaded

    assert offer(current)["params"] == {"labels": ["pos", "neg"], "multiple": False}
    assert offer(current)["data"] == {"text": "first " + XSS} and XSS not in current.text
    assert offer(typed)["params"] == {"labels": ["yes", "no", "maybe"], "multiple": True}
    assert 'id="preview-problems"' in wrong.text and "data-offer" not in wrong.text
    assert offer(rubric)["params"] == {"min": 1, "max": 7, "criteria": [
        {"id": "fluency", "description": "reads well", "weight": 1}]}
    assert "frame-ancestors 'self'" in current.headers["content-security-policy"]
    assert current.headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'none'" in settings.headers["content-security-policy"]
    assert foreign.status_code == 404
