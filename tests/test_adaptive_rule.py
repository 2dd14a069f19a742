"""The accuracies adaptive overlap gives workers, from what the platform stores about them
(SQLite, PostgreSQL)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.orm import Session

from assay.accounts import service as accounts
from assay.clock import utcnow
from assay.db.models import Project
from assay.quality import service as quality
from assay.quality.adaptive import PRIOR_ACCURACY, PRIOR_WEIGHT, worker_accuracies
from tests.support import Org, categorize_project


def _workers(org: Org, n: int) -> list[str]:
    return [org.db.write(lambda s: accounts.create_worker(
        s, f"a-{uuid.uuid4().hex[:10]}@example.com", org.org_id))[0] for _ in range(n)]


def _set(org: Org, project_id: str, worker_id: str, **fields: float) -> None:
    def write(session: Session) -> None:
        project = session.get_one(Project, project_id)
        standing = quality.standing_for(session, project, worker_id, utcnow())
        for name, value in fields.items():
            setattr(standing, name, value)
    org.db.write(write)


def test_it_counts_a_newcomer_as_an_average_member_of_the_crowd(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 1, "target_confidence": 0.9})
    newcomer, veteran, other = _workers(org, 3)
    chance = 1 / 3
    with org.db.read() as session:
        before = worker_accuracies(session, project["id"], [newcomer], chance)
    assert before.tolist() == pytest.approx([PRIOR_ACCURACY])
    _set(org, project["id"], veteran, model_accuracy=0.9, model_answers=300)
    _set(org, project["id"], other, model_accuracy=0.5, model_answers=100)
    crowd = (0.9 * 300 + 0.5 * 100) / 400
    with org.db.read() as session:
        acc = worker_accuracies(session, project["id"], [newcomer, veteran], chance)
    assert acc[0] == pytest.approx(crowd)
    assert acc[1] == pytest.approx((270 + PRIOR_WEIGHT * crowd) / (300 + PRIOR_WEIGHT))


def test_it_adds_gold_to_the_model_record(org: Org) -> None:
    project = categorize_project(org, quality={"overlap": 1, "target_confidence": 0.9})
    (worker,) = _workers(org, 1)
    _set(org, project["id"], worker, gold_correct=2, gold_answers=6,
         model_accuracy=0.8, model_answers=20)
    with org.db.read() as session:
        acc = worker_accuracies(session, project["id"], [worker], 1 / 3)
    crowd = 0.8  # the only model estimate in the project
    assert acc.tolist() == pytest.approx([(2 + 16 + PRIOR_WEIGHT * crowd) / (6 + 20
                                                                            + PRIOR_WEIGHT)])
