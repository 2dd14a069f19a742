"""The evaluation job: generate the contestants' replies, then have the judge judge.

One job kind, ``evaluation``, with a ``step``. Each run takes a chunk of the pending work
(replies to generate, battles to judge), calls the models with no transaction open (several
at once; each call is recorded under the evaluation's id, so its cost is the evaluation's),
then stores the chunk's outcomes in one short write that also queues the next chunk — or,
when nothing is pending, moves the evaluation on. A reply that fails (the model refused,
errored after its retries, or timed out) is stored as failed and its battles are left out;
the evaluation goes on. A chunk run twice (its runner died) stores each outcome once. A
step that fails as a whole (it raises) makes the evaluation ``failed`` with the error, then
fails the job as every job does; ``POST /v1/evaluations/{id}/retry`` queues the step again.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assay.algorithms.judging import judge_messages, parse_verdict, reconcile
from assay.clock import Clock
from assay.db.engine import Database
from assay.errors import AssayError
from assay.evaluations import service
from assay.jobs import queue
from assay.jobs.queue import ClaimedJob
from assay.models import calls
from assay.settings import Settings

CHUNK = 32
PARALLEL = 8


def _call(db: Database, settings: Settings, clock: Clock, target: calls.Target,
          messages: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The reply's text, or the error code of a call that failed."""
    try:
        outcome = calls.chat(db, target, messages, allowed=settings.allowed_model_hosts,
                             now=clock.now)
    except AssayError as exc:
        return None, exc.code
    return outcome.content, None


def _generate(db: Database, settings: Settings, clock: Clock, org_id: str,
              evaluation_id: str) -> bool:
    """Generate one chunk; True when replies are still pending."""
    with db.read() as session:
        evaluation = service.get_evaluation_in_org(session, org_id, evaluation_id)
        prompts = evaluation.prompts
        todo = [(r.id, r.model_id, r.prompt_index) for r in
                service.list_pending_replies(session, org_id, evaluation_id, CHUNK)]

    def one(item: tuple[str, str | None, int]) -> tuple[str, str | None, str | None]:
        reply_id, model_id, prompt = item
        if model_id is None:
            return reply_id, None, "no_response"
        target = calls.Target(org_id, model_id, evaluation_id)
        return (reply_id, *_call(db, settings, clock, target, prompts[prompt]["messages"]))

    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="assay-eval") as pool:
        results = list(pool.map(one, todo))

    def store(s: Any) -> int:
        left = service.record_replies(s, org_id, evaluation_id, results, clock.now())
        if left == 0:
            service.finish_generation(s, org_id, evaluation_id, clock.now(), random.Random())
        return left

    return bool(db.write(store))


def _judge(db: Database, settings: Settings, clock: Clock, org_id: str,
           evaluation_id: str) -> bool:
    """Judge one chunk of battles in both orders; True when battles still wait."""
    with db.read() as session:
        evaluation = service.get_evaluation_in_org(session, org_id, evaluation_id)
        judge = evaluation.config["judge"]
        prompts = evaluation.prompts
        replies = {(r.prompt_index, r.model): r.content
                   for r in service.list_replies(session, org_id, evaluation_id)}
        todo = [(b.id, b.prompt_index, b.model_a, b.model_b) for b in service.list_battles(
            session, org_id, evaluation_id, judge_status="pending", limit=CHUNK)]
    target = calls.Target(org_id, judge["model_id"], evaluation_id)

    def ask(prompt: int, first: str, second: str) -> str | None:
        messages = prompts[prompt]["messages"]
        text = "\n\n".join(f"{m['role']}: {m['content']}" for m in messages)
        content, _ = _call(db, settings, clock, target, judge_messages(
            text if len(messages) > 1 else str(messages[0]["content"]),
            replies[(prompt, first)] or "", replies[(prompt, second)] or "",
            rubric=judge["rubric"], reference=prompts[prompt]["reference"]))
        return parse_verdict(content) if content is not None else None

    def one(item: tuple[str, int, str, str]) -> tuple[str, str | None, str | None, str | None]:
        battle_id, prompt, a, b = item
        first, swapped = ask(prompt, a, b), ask(prompt, b, a)
        return battle_id, first, swapped, reconcile(first, swapped)[0]

    with ThreadPoolExecutor(max_workers=PARALLEL // 2, thread_name_prefix="assay-judge") as pool:
        results = list(pool.map(one, todo))
    return bool(db.write(lambda s: service.record_judgments(s, org_id, evaluation_id, results,
                                                            clock.now())))


def run_evaluation_job(db: Database, settings: Settings, job: ClaimedJob, *,
                       clock: Clock) -> None:
    payload = job.payload
    org_id, evaluation_id, step = payload["org_id"], payload["evaluation_id"], payload["step"]
    try:
        more = (_generate if step == "generate" else _judge)(db, settings, clock, org_id,
                                                              evaluation_id)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        db.write(lambda s: service.fail_evaluation(s, org_id, evaluation_id, step, error,
                                                   clock.now()))
        raise  # the runner fails the job, with the traceback in the log

    def done(s: Any) -> None:
        queue.finish(s, job.id, clock.now())
        if more:  # else the last chunk moved the evaluation on (and queued the judge)
            queue.enqueue(s, service.JOB_KIND, payload, clock.now())

    db.write(done)
