"""Web pages answer another organization's objects exactly like missing ones: the same
status and, once the id in the address is masked, the same bytes."""

from __future__ import annotations

from tests.support import Org, categorize_project
from tests.web.support import signed_in_client, user_account, worker_account

MISSING = {"project_id": "prj_00000000000000000000000a", "task_id": "tsk_00000000000000000000000a"}
REQUESTER_PAGES = ["/projects/{project_id}", "/projects/{project_id}/tasks/{task_id}"]
WORKER_PAGES = ["/work/{project_id}", "/work/{project_id}/standing", "/review/{project_id}"]


def _page(http: object, path: str, ids: dict[str, str]) -> tuple[int, bytes]:
    response = http.get(path.format(**ids))  # type: ignore[attr-defined]
    body: bytes = response.content
    for name, value in ids.items():
        body = body.replace(value.encode(), f"<{name}>".encode())
    return response.status_code, body


def test_foreign_and_missing_pages_are_the_same(org: Org, other_org: Org) -> None:
    project = categorize_project(org)
    task = org.client.create_task(project["id"], {"text": "secret"})
    owned = {"project_id": project["id"], "task_id": task["id"]}
    for account, pages in ((user_account(other_org), REQUESTER_PAGES),
                           (worker_account(other_org), WORKER_PAGES)):
        with signed_in_client(org.url, account) as http:
            for path in pages:
                foreign, missing = _page(http, path, owned), _page(http, path, MISSING)
                assert foreign[0] == 404, (path, foreign)
                assert foreign == missing, path
                assert b"secret" not in foreign[1]
