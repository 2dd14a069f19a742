"""The evaluation job run twice at once (a runner that died and a second that claimed the
same work): real threads on one database, both generating the same chunk. Each reply is
stored once, the battles are planned once, and their tasks created once (SQLite and
PostgreSQL)."""

from __future__ import annotations

import random
import threading

from assay.accounts import service as accounts
from assay.accounts.service import Requester
from assay.clock import SystemClock
from assay.db.engine import Database
from assay.evaluations import service
from assay.evaluations.jobs import run_evaluation_job
from assay.evaluations.schemas import EvaluationCreate
from assay.jobs.queue import ClaimedJob
from assay.models import service as models
from assay.models.schemas import ModelCreate
from assay.models.standin import StandIn
from assay.settings import Settings
from tests.support import TEST_ENV


def test_two_runs_of_one_chunk_store_everything_once(db: Database, db_url: str,
                                                     model_standin: StandIn) -> None:
    settings = Settings.from_env({**TEST_ENV, "ASSAY_DATABASE_URL": db_url})
    clock = SystemClock()
    org = db.write(lambda s: accounts.create_org(s, "Twice"))
    who = Requester(org_id=org.org_id)
    hosts = settings.allowed_model_hosts
    ids = [db.write(lambda s, n=n: models.create_model(
        s, who, ModelCreate(name=n, base_url=model_standin.base_url,
                            model=f"slow-0.2#{n}-{org.org_id}"), hosts, clock.now()).id)
           for n in ("m1", "m2", "m3")]
    body = EvaluationCreate.model_validate({
        "name": "twice", "prompts": [{"prompt": f"q{i}"} for i in range(4)], "models": ids,
        "human": {"battles_per_prompt": 2}})
    evaluation_id = db.write(lambda s: service.create_evaluation(
        s, who, body, (), clock.now(), random.Random(3)).id)
    job = ClaimedJob("job_x", service.JOB_KIND, {"org_id": org.org_id,
                                                 "evaluation_id": evaluation_id,
                                                 "step": "generate"}, 1)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            run_evaluation_job(db, settings, job, clock=clock)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with db.read() as session:
        found = service.evaluation_object(session, service.get_evaluation(
            session, who, evaluation_id))
        replies = service.list_replies(session, org.org_id, evaluation_id)
        battles = service.list_battles(session, org.org_id, evaluation_id)
    assert found["status"] == "collecting"
    assert found["progress"]["replies"] == {"total": 12, "done": 12, "failed": 0}
    assert all(r.status == "ok" and r.content for r in replies)
    assert len(battles) == 8 and len({b.task_id for b in battles}) == 8
    assert found["progress"]["human"] == {"tasks": 8, "completed": 0}
