"""The projects a signed-in worker may open, with the fields their pages show.

The rule of who may work where is the projects feature's
(``projects.service.list_worker_projects``); this module only asks it for the pages.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from assay.accounts.service import WorkerPrincipal
from assay.db.models import Project
from assay.projects import service as projects
from assay.review import service as review


def list_worker_projects(session: Session, who: WorkerPrincipal) -> list[Project]:
    return projects.list_worker_projects(session, who.org_id, who.worker_id)


def get_worker_project(session: Session, who: WorkerPrincipal,
                       project_id: str) -> Project | None:
    return projects.get_worker_project(session, who.org_id, project_id, who.worker_id)


def reviewed_projects(session: Session, who: WorkerPrincipal) -> dict[str, int]:
    """The projects this worker reviews, with their review level."""
    return review.reviewed_projects(session, who.worker_id)


def review_level(session: Session, who: WorkerPrincipal, project_id: str) -> int | None:
    return review.review_level(session, who.worker_id, project_id)
