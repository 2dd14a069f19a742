"""Each kind's labeling widget is served from the kind's own folder, under /static (the
Content-Security-Policy allows scripts from this server only), with the list of them the
server writes from its kind registry; nothing else of a kind's folder is served."""

from __future__ import annotations

import httpx
import pytest

from assay.kinds import KIND_NAMES
from tests.support import Org, categorize_project
from tests.web.support import signed_in_client, worker_account


def test_the_widget_index_imports_every_kind(org: Org) -> None:
    response = httpx.get(f"{org.url}/static/kinds/index.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["x-content-type-options"] == "nosniff"
    for name in KIND_NAMES:
        assert f'from "./{name}.js"' in response.text
        assert f'"{name}": widget' in response.text


@pytest.mark.parametrize("name", KIND_NAMES)
def test_each_kind_serves_its_widget_module(org: Org, name: str) -> None:
    response = httpx.get(f"{org.url}/static/kinds/{name}.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "export default function" in response.text


def test_the_kinds_styles_come_as_one_sheet(org: Org) -> None:
    response = httpx.get(f"{org.url}/static/kinds/index.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert ".spans-text" in response.text and ".box-stage" in response.text
    project = categorize_project(org)
    with signed_in_client(org.url, worker_account(org)) as http:
        assert 'href="/static/kinds/index.css' in http.get(f"/work/{project['id']}").text


@pytest.mark.parametrize("path", ["/static/kinds/transcribe.js", "/static/kinds/spans/kind.py",
                                  "/static/kinds/spans/widget.js",
                                  "/static/kinds/..%2Fkinds%2F__init__.py"])
def test_nothing_else_of_a_kind_is_served(org: Org, path: str) -> None:
    assert httpx.get(f"{org.url}{path}").status_code == 404
