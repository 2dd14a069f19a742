"""Active selection: ``POST /v1/projects/{id}/order`` orders a project's pending tasks by
the uncertainty of their uploaded predictions or by the diversity of their embeddings,
instead of the priorities they were given.

The work queue offers the highest priority first (then the oldest), so an order is written
as priorities: the ``n`` ranked tasks get ``n, n - 1, …, 1`` and every other pending task
``0``. It is a snapshot: tasks that arrive later keep the priority they come with, and the
call can be made again (after new predictions, say). ``uncertainty`` ranks the tasks that
have a prediction, smallest margin between the two most probable labels first
(:func:`assay.algorithms.selection.uncertainty_order`); ``diversity`` ranks up to
``DIVERSITY_RANKED`` tasks by farthest-point traversal of their embeddings
(:func:`assay.algorithms.selection.diversity_order`), after embedding the tasks that have
no vector yet (``202`` while that runs). ``priority`` only records the setting.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.algorithms.selection import diversity_order, uncertainty_order
from assay.auditlog import service as auditlog
from assay.curation import repository
from assay.curation.config import curation_settings
from assay.curation.embedders import get_embedder
from assay.curation.embeddings import ensure_embeddings, project_matrix
from assay.curation.predictions import project_labels
from assay.db.models import CurationRun
from assay.projects import service as projects

DIVERSITY_RANKED = 2000


def order_pending(session: Session, who: Requester, project_id: str, by: str,
                  now: datetime) -> dict[str, Any] | CurationRun:
    project = projects.get_project(session, who, project_id, for_update=True)
    pending = repository.list_pending_ids(session, who.org_id, project.id)
    ranked: list[str] = []
    if by == "uncertainty":
        _, labels = project_labels(project)
        preds = repository.list_predictions(session, who.org_id, project.id)
        ids = [t for t in pending if t in preds]
        if ids:
            probs = np.array([[float(preds[t].get(label, 0.0)) for label in labels]
                              for t in ids])
            ranked = [ids[i] for i in uncertainty_order(probs).tolist()]
    elif by == "diversity":
        run = ensure_embeddings(session, who, project, now)
        if run is not None:
            return run
        model = get_embedder(curation_settings(project)["embedding_model"]).name
        ids, matrix = project_matrix(session, who.org_id, project.id, model)
        wanted = set(pending)
        keep = [i for i, t in enumerate(ids) if t in wanted]
        if keep:
            order = diversity_order(matrix[keep], DIVERSITY_RANKED)
            ranked = [ids[keep[i]] for i in order.tolist()]
    if by != "priority":
        rank = {t: len(ranked) - i for i, t in enumerate(ranked)}
        repository.set_priorities(session, who.org_id, [(t, rank.get(t, 0)) for t in pending])
    project.curation = {**(project.curation or {}), "order": by}
    project.updated_at = now
    auditlog.record(session, who, "project.order", project.id, at=now)
    return {"project": project.id, "order": by, "ranked": len(ranked),
            "pending": len(pending)}
