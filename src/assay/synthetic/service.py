"""Generating tasks for people to check (issue 12, item 5).

:func:`generate` runs the self-instruct loop of :mod:`assay.algorithms.self_instruct`
against a project's model: it plans a request from the pool (the seeds and the prompts
kept so far), calls the model with no transaction open, keeps the new prompts that are not
near-duplicates of the seeds, of the project's existing prompts or of each other, and stops
at ``count`` kept prompts or ``max_requests`` requests. With ``replies`` it then asks the
model to answer each kept prompt. Only then does one write add every task (all or
nothing), so a model that fails half-way leaves nothing behind.

A kept prompt becomes a task people check, in the project's own kind (its
:meth:`~assay.kinds.Kind.synthetic_task`; the kinds that have one):

- ``chat``: ``{"messages": [user prompt], "candidates"?: [the model's reply]}`` — people
  rank, score and rewrite the reply;
- ``text``: ``{"prompt", "reply"?}`` — people write (or correct) the reply;
- ``rate``: ``{"prompt", "completion"}`` (``replies`` required) — people score the pair.

Each task's metadata says where it came from: ``{"synthetic": {"method": "self_instruct",
"model", "variation"}}``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.algorithms.self_instruct import parse_items, plan_requests, select_new
from assay.auditlog import service as auditlog
from assay.db.engine import Database
from assay.errors import field_error
from assay.kinds import get_kind, synthetic_kinds
from assay.models import calls
from assay.models import service as models
from assay.projects import service as projects
from assay.synthetic.figures import figures
from assay.synthetic.schemas import GenerateIn
from assay.tasks import service as tasks
from assay.tasks.schemas import BulkCreate

KINDS = synthetic_kinds()
LEFT_OUT_SHOWN = 100


def _prompt_of(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("prompt"), str):
        return str(data["prompt"])
    messages = data.get("messages")
    if isinstance(messages, list):
        users = [m.get("content") for m in messages
                 if isinstance(m, dict) and m.get("role") == "user"]
        if users and isinstance(users[-1], str):
            return str(users[-1])
    return None


def _existing_prompts(session: Session, who: Requester, project_id: str) -> Iterator[str]:
    for task in tasks.iter_project_task_objects(session, who.org_id, project_id, False, 1000):
        prompt = _prompt_of(task["data"])
        if prompt is not None:
            yield prompt


def prepare(session: Session, who: Requester, project_id: str,
            body: GenerateIn) -> tuple[str, dict[str, Any], str, list[str]]:
    """The project's kind and params, the model's name and the prompts already in the project;
    refuses a kind that holds no prompt, a project whose items need replies without them and a model
    that is not the organization's."""
    project = projects.get_project(session, who, project_id)
    if project.kind not in KINDS:
        raise field_error("project", f"generation fills {', '.join(KINDS)} projects; this "
                          f"project's kind is {project.kind}")
    if get_kind(project.kind).synthetic_needs_reply and not body.replies:
        raise field_error("replies", f"must be true for a {project.kind} project (people "
                          "judge prompt and reply pairs)")
    model = models.get_model(session, who, body.model)
    return (project.kind, dict(project.params or {}), model.name,
            list(_existing_prompts(session, who, project_id)))


def task_data(kind: str, params: dict[str, Any], prompt: str, reply: str | None,
              model_name: str) -> dict[str, Any]:
    """A kept prompt (and its reply) as a task of the project's kind (module docstring)."""
    return get_kind(kind).synthetic_task(params, prompt, reply, model_name)


def generate(db: Database, who: Requester, project_id: str, body: GenerateIn, *,
             allowed: tuple[str, ...], now: Callable[[], datetime],
             rng: random.Random) -> dict[str, Any]:
    """Run the loop (module docstring) and add the tasks; the response document."""
    with db.read() as session:
        kind, params, model_name, existing = prepare(session, who, project_id, body)
    target = calls.Target(who.org_id, body.model, project_id)
    draw = random.Random(body.seed) if body.seed is not None else rng
    limit = body.max_requests or 2 * -(-body.count // body.per_request) + 2
    kept: list[tuple[str, str | None]] = []
    left_out: list[tuple[str, str, str | None]] = []
    requests = 0
    while len(kept) < body.count and requests < limit:
        pool = body.seeds + [p for p, _ in kept]
        (request,) = plan_requests(pool, 1, rng=draw, k=body.examples_per_request,
                                   per_request=body.per_request, variations=body.variations,
                                   start=requests)
        requests += 1
        outcome = calls.chat(db, target, list(request.messages), allowed=allowed, now=now)
        selection = select_new(parse_items(outcome.content),
                               body.seeds + existing + [p for p, _ in kept],
                               threshold=body.threshold)
        kept += [(p, request.variation) for p in selection.kept]
        left_out += selection.left_out
    kept = kept[:body.count]
    replies: list[str | None] = [None] * len(kept)
    if body.replies:
        replies = [calls.chat(db, target, [{"role": "user", "content": p}], allowed=allowed,
                              now=now).content for p, _ in kept]
    rows = [{"data": task_data(kind, params, prompt, reply, model_name),
             "metadata": {"synthetic": {"method": "self_instruct", "model": body.model,
                                        "variation": variation}}}
            for (prompt, variation), reply in zip(kept, replies, strict=True)]

    def write(session: Session) -> int:
        created = tasks.bulk_create(session, who, BulkCreate(project=project_id, tasks=rows),
                                    ())["created"] if rows else 0
        auditlog.record(session, who, "project.generate", project_id)
        return int(created)

    created = db.write(write)
    return {"project": project_id, "created": created, "requests": requests,
            "model_calls": requests + (len(kept) if body.replies else 0),
            "left_out": [{"prompt": p, "reason": r, "similar": s}
                         for p, r, s in left_out[:LEFT_OUT_SHOWN]],
            "left_out_counts": dict(Counter(r for _, r, _ in left_out))}


def project_figures(session: Session, who: Requester, project_id: str) -> dict[str, Any]:
    """How people judged the project's generated tasks (:mod:`assay.synthetic.figures`)."""
    project = projects.get_project(session, who, project_id)
    objects = tasks.iter_project_task_objects(session, who.org_id, project_id, True, 1000)
    return {"project": project_id, **figures(project.kind, project.params, objects)}
