"""The Python SDK: the same contract as API.md, over httpx.

>>> from assay.client import Client
>>> client = Client("http://127.0.0.1:8000", api_key="ak_...")  # doctest: +SKIP
>>> project = client.create_project(name="sentiment", kind="categorize",
...                                 params={"labels": ["pos", "neg"]})  # doctest: +SKIP
>>> for task in client.iter_tasks(project=project["id"], status="completed"):  # doctest: +SKIP
...     print(task["result"])

Errors are typed: every non-2xx answer raises a subclass of :class:`AssayAPIError` that
carries the status, the error code, the message and the details.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import httpx


class AssayAPIError(Exception):
    def __init__(self, status: int, code: str, message: str,
                 details: dict[str, Any] | None = None,
                 headers: httpx.Headers | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers


class BadRequest(AssayAPIError): ...
class Unauthorized(AssayAPIError): ...
class Forbidden(AssayAPIError): ...
class NotFound(AssayAPIError): ...
class Conflict(AssayAPIError): ...
class PayloadTooLarge(AssayAPIError): ...
class ValidationFailed(AssayAPIError): ...
class RateLimited(AssayAPIError): ...
class ServerError(AssayAPIError): ...


_BY_STATUS: dict[int, type[AssayAPIError]] = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict,
    413: PayloadTooLarge, 422: ValidationFailed, 429: RateLimited,
}


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        error = response.json()["error"]
        code, message, details = error["code"], error["message"], error.get("details")
    except (ValueError, KeyError, TypeError):
        code, message, details = "http_error", response.text[:200], None
    cls = _BY_STATUS.get(response.status_code,
                         ServerError if response.status_code >= 500 else AssayAPIError)
    raise cls(response.status_code, code, message, details, response.headers)


class _Base:
    def __init__(self, url: str, token: str, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout,
                                  headers={"Authorization": f"Bearer {token}"},
                                  transport=transport)

    def _call(self, method: str, path: str, *, json: Any = None,
              params: dict[str, Any] | None = None) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        response = self._http.request(method, path, json=json, params=clean)
        _raise_for(response)
        if response.status_code == 204:
            return None
        return response.json()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Client(_Base):
    """A requester's client, authenticated with an organization's API key."""

    def __init__(self, url: str, api_key: str, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(url, api_key, timeout, transport)

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            page = self._call("GET", path, params={**params, "next_token": token})
            yield from page["docs"]
            token = page["next_token"]
            if not token:
                return

    # projects
    def create_project(self, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/v1/projects", json=fields)
        return result

    def get_project(self, project_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/v1/projects/{project_id}")
        return result

    def update_project(self, project_id: str, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("PATCH", f"/v1/projects/{project_id}", json=fields)
        return result

    def list_projects(self, limit: int = 100, next_token: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/v1/projects",
                                            params={"limit": limit, "next_token": next_token})
        return result

    def iter_projects(self, page_size: int = 100) -> Iterator[dict[str, Any]]:
        return self._pages("/v1/projects", {"limit": page_size})

    # tasks
    def create_task(self, project: str, data: Any, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/v1/tasks",
                                            json={"project": project, "data": data, **fields})
        return result

    def create_tasks(self, project: str, tasks: Iterable[dict[str, Any]], *,
                     partial: bool = False, batch: str | None = None,
                     chunk_size: int = 10_000) -> dict[str, Any]:
        """Create many tasks, in calls of up to ``chunk_size``. Returns the summed summary,
        with indexes relative to the whole input."""
        total: dict[str, Any] = {"created": 0, "duplicates": [], "errors": []}
        items = list(tasks)
        for start in range(0, len(items), chunk_size):
            body: dict[str, Any] = {"project": project,
                                    "tasks": items[start:start + chunk_size],
                                    "partial": partial}
            if batch is not None:
                body["batch"] = batch
            part = self._call("POST", "/v1/tasks/bulk", json=body)
            total["created"] += part["created"]
            for key in ("duplicates", "errors"):
                total[key] += [{**d, "index": d["index"] + start} for d in part[key]]
        return total

    def get_task(self, task_id: str, include_responses: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "GET", f"/v1/tasks/{task_id}",
            params={"include": "responses" if include_responses else None})
        return result

    def list_tasks(self, *, limit: int = 100, next_token: str | None = None,
                   **filters: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "GET", "/v1/tasks", params={**filters, "limit": limit, "next_token": next_token})
        return result

    def iter_tasks(self, page_size: int = 1000, include_responses: bool = False,
                   **filters: Any) -> Iterator[dict[str, Any]]:
        params = {**filters, "limit": page_size,
                  "include": "responses" if include_responses else None}
        return self._pages("/v1/tasks", params)

    def update_task(self, task_id: str, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("PATCH", f"/v1/tasks/{task_id}", json=fields)
        return result

    def cancel_task(self, task_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", f"/v1/tasks/{task_id}/cancel")
        return result

    def audit_task(self, task_id: str, accepted: bool, answer: dict[str, Any] | None = None,
                   comment: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"accepted": accepted}
        if answer is not None:
            body["answer"] = answer
        if comment is not None:
            body["comment"] = comment
        result: dict[str, Any] = self._call("POST", f"/v1/tasks/{task_id}/audit", json=body)
        return result

    # batches
    def create_batch(self, project: str, name: str,
                     callback_url: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"project": project, "name": name}
        if callback_url is not None:
            body["callback_url"] = callback_url
        result: dict[str, Any] = self._call("POST", "/v1/batches", json=body)
        return result

    def get_batch(self, batch_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/v1/batches/{batch_id}")
        return result

    def finalize_batch(self, batch_id: str) -> dict[str, Any]:
        return self._batch_action(batch_id, "finalize")

    def pause_batch(self, batch_id: str) -> dict[str, Any]:
        return self._batch_action(batch_id, "pause")

    def resume_batch(self, batch_id: str) -> dict[str, Any]:
        return self._batch_action(batch_id, "resume")

    def cancel_batch(self, batch_id: str) -> dict[str, Any]:
        return self._batch_action(batch_id, "cancel")

    def _batch_action(self, batch_id: str, action: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", f"/v1/batches/{batch_id}/{action}")
        return result

    # quality: gold, training, workers
    def add_gold(self, project_id: str, data: Any, answer: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", f"/v1/projects/{project_id}/gold",
                                            json={"data": data, "answer": answer})
        return result

    def iter_gold(self, project_id: str, page_size: int = 100) -> Iterator[dict[str, Any]]:
        return self._pages(f"/v1/projects/{project_id}/gold", {"limit": page_size})

    def retire_gold(self, project_id: str, gold_id: str) -> dict[str, Any]:
        """Stop serving a gold task; its answers become evidence workers can see."""
        result: dict[str, Any] = self._call(
            "POST", f"/v1/projects/{project_id}/gold/{gold_id}/retire")
        return result

    def add_training(self, project_id: str, data: Any, answer: dict[str, Any],
                     explanation: str = "") -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST", f"/v1/projects/{project_id}/training",
            json={"data": data, "answer": answer, "explanation": explanation})
        return result

    def iter_training(self, project_id: str, page_size: int = 100) -> Iterator[dict[str, Any]]:
        return self._pages(f"/v1/projects/{project_id}/training", {"limit": page_size})

    def add_reviewer(self, project_id: str, worker_id: str, level: int = 1) -> dict[str, Any]:
        """Promote a worker to review this project's tasks (level 2: also check reviews)."""
        result: dict[str, Any] = self._call("POST", f"/v1/projects/{project_id}/reviewers",
                                            json={"worker_id": worker_id, "level": level})
        return result

    # pay
    def bonus(self, project_id: str, worker_id: str, amount: str, memo: str | None = None,
              idempotency_key: str | None = None) -> dict[str, Any]:
        body = {"worker_id": worker_id, "amount": amount, "memo": memo,
                "idempotency_key": idempotency_key}
        result: dict[str, Any] = self._call(
            "POST", f"/v1/projects/{project_id}/bonuses",
            json={k: v for k, v in body.items() if v is not None})
        return result

    def create_payout(self, until: str | None = None) -> dict[str, Any]:
        """Pay this organization's workers every unpaid balance earned before ``until``
        (an ISO 8601 instant with its offset; default now), exactly once."""
        result: dict[str, Any] = self._call("POST", "/v1/payouts",
                                            json={"until": until} if until else {})
        return result

    def iter_payouts(self, page_size: int = 100) -> Iterator[dict[str, Any]]:
        return self._pages("/v1/payouts", {"limit": page_size})

    def get_payout(self, payout_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/v1/payouts/{payout_id}")
        return result

    def cost(self, project_id: str) -> dict[str, Any]:
        """What the project has cost, per currency, and how much is paid out."""
        result: dict[str, Any] = self._call("GET", f"/v1/projects/{project_id}/cost")
        return result

    def iter_workers(self, project_id: str, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Every worker who answered in the project, with their standing (ids only)."""
        return self._pages(f"/v1/projects/{project_id}/workers", {"limit": page_size})

    def quality(self, project_id: str) -> dict[str, Any]:
        """Agreement, per-worker and per-class estimates, calibration on gold."""
        result: dict[str, Any] = self._call("GET", f"/v1/projects/{project_id}/quality")
        return result

    # synthetic data
    def generate_tasks(self, project_id: str, model: str, seeds: list[str],
                       **options: Any) -> dict[str, Any]:
        """Grow new tasks from seed prompts with a model (``POST /v1/projects/{id}/generate``;
        options: ``count``, ``variations``, ``replies``, ``threshold``, ``seed``, …)."""
        result: dict[str, Any] = self._call("POST", f"/v1/projects/{project_id}/generate",
                                            json={"model": model, "seeds": seeds, **options})
        return result

    def synthetic_figures(self, project_id: str) -> dict[str, Any]:
        """How people checked the generated tasks: accepted, edited, rejected."""
        result: dict[str, Any] = self._call("GET", f"/v1/projects/{project_id}/synthetic")
        return result

    # export
    def export(self, project_id: str, format: str = "jsonl",
               include_responses: bool = False, file: str | None = None) -> Iterator[bytes]:
        """Stream a project's export; yields raw chunks (JSON lines, CSV, or with
        ``file="parquet"`` one Parquet file). ``format`` is ``jsonl``, ``csv`` or a
        post-training format (``sft``, ``openai``, ``dpo``, ``kto``, ``openai_dpo``,
        ``reward``)."""
        params = {"format": format}
        if include_responses:
            params["include"] = "responses"
        if file is not None:
            params["file"] = file
        with self._http.stream("GET", f"/v1/projects/{project_id}/export",
                               params=params) as response:
            if response.status_code >= 400:
                response.read()
                _raise_for(response)
            yield from response.iter_bytes()

    def iter_export(self, project_id: str,
                    include_responses: bool = False) -> Iterator[dict[str, Any]]:
        """Stream a project's export as task objects."""
        import json

        buffer = b""
        for chunk in self.export(project_id, "jsonl", include_responses):
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                if line.strip():
                    yield json.loads(line)
        if buffer.strip():
            yield json.loads(buffer)


class WorkerClient(_Base):
    """A worker's client, authenticated with a worker token."""

    def __init__(self, url: str, token: str, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(url, token, timeout, transport)

    def next(self, project: str | None = None) -> dict[str, Any] | None:
        """The next assignment, or ``None`` when there is nothing to do now."""
        result: dict[str, Any] | None = self._call(
            "POST", "/v1/work/next", json={"project": project} if project else {})
        return result

    def submit(self, assignment_id: str, answer: dict[str, Any],
               next: bool = False) -> dict[str, Any]:
        """Submit an answer; with ``next=True`` the receipt also carries the next task
        (``"next": offer | None``), leased in the same call."""
        body: dict[str, Any] = {"answer": answer}
        if next:
            body["next"] = True
        result: dict[str, Any] = self._call("POST", f"/v1/work/{assignment_id}/submit",
                                            json=body)
        return result

    def skip(self, assignment_id: str, reason: str | None = None,
             comment: str | None = None) -> dict[str, Any]:
        body = {k: v for k, v in (("reason", reason), ("comment", comment)) if v is not None}
        result: dict[str, Any] = self._call("POST", f"/v1/work/{assignment_id}/skip",
                                            json=body)
        return result

    def generate(self, assignment_id: str, prompt: str | None = None,
                 ranking: list[list[str]] | None = None,
                 scores: dict[str, dict[str, int]] | None = None,
                 ideal: str | None = None) -> dict[str, Any]:
        """A conversation's next turn (``chat``): its candidate replies, ``{"turn",
        "candidates": [{"id", "content"}]}``. The first turn takes only the ``prompt`` (when
        the task needs a user turn); each later turn the ranking (scores, ideal) of the
        previous one and the next ``prompt``. With no arguments: the latest turn again."""
        body = {k: v for k, v in (("prompt", prompt), ("ranking", ranking),
                                  ("scores", scores), ("ideal", ideal)) if v is not None}
        result: dict[str, Any] = self._call("POST", f"/v1/work/{assignment_id}/generate",
                                            json=body)
        return result

    def stream_generate(self, assignment_id: str,
                        **body: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        """As :meth:`generate`, streamed: ``("delta", {"candidate", "delta"})`` events as
        the replies are written, then ``("done", turn)`` or ``("error", {"error": …})``."""
        import json

        payload = {k: v for k, v in body.items() if v is not None}
        with self._http.stream("POST", f"/v1/work/{assignment_id}/generate", json=payload,
                               headers={"Accept": "text/event-stream"}) as response:
            if response.status_code != 200:
                response.read()
                _raise_for(response)
            event = "delta"
            for line in response.iter_lines():
                if line.startswith("event: "):
                    event = line[len("event: "):]
                elif line.startswith("data: "):
                    yield event, json.loads(line[len("data: "):])
                    event = "delta"

    def next_review(self, project: str, level: int = 1) -> dict[str, Any] | None:
        """Lease a task waiting for review (level 1), or a review waiting for a
        second-level check (level 2), in the project; ``None`` when there is none."""
        result: dict[str, Any] | None = self._call("POST", "/v1/review/next",
                                                   json={"project": project, "level": level})
        return result

    def review_candidates(self, task_id: str) -> dict[str, Any]:
        """The candidate replies (id → turn, content, messages; no model names) of a
        conversation task this reviewer holds."""
        result: dict[str, Any] = self._call("GET", f"/v1/work/review/{task_id}/candidates")
        return result

    def review(self, task_id: str, verdict: str, answer: dict[str, Any] | None = None,
               comment: str | None = None,
               rejected_answers: list[str] | None = None, level: int = 1) -> dict[str, Any]:
        """Decide a task in review: ``verdict`` is ``"accept"`` or ``"fix"`` (with
        ``answer``); ``rejected_answers`` lists answer ids the worker will see rejected.
        At level 2, ``accept`` upholds the first review and ``fix`` overturns it."""
        body: dict[str, Any] = {"verdict": verdict, "level": level,
                                "rejected_answers": rejected_answers or []}
        if answer is not None:
            body["answer"] = answer
        if comment is not None:
            body["comment"] = comment
        result: dict[str, Any] = self._call("POST", f"/v1/review/{task_id}", json=body)
        return result

    def feedback(self) -> list[dict[str, Any]]:
        """The reviewers' verdicts on this worker's answers, newest first."""
        result: dict[str, Any] = self._call("GET", "/v1/work/feedback")
        docs: list[dict[str, Any]] = result["docs"]
        return docs

    def me(self, project: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/v1/work/me", params={"project": project})
        return result

    def standing(self, project: str) -> dict[str, Any]:
        """Why this worker stands where they do in a project: accuracy and its evidence,
        reviews, flags, earnings, every pause, appeal and decision."""
        result: dict[str, Any] = self._call("GET", "/v1/work/standing",
                                            params={"project": project})
        return result
