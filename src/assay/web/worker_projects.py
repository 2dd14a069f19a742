"""The projects a signed-in worker may open, with the fields their pages show.

The rule of who may work where is the projects feature's
(``projects.repository.eligible_projects``);
this module only loads the project rows behind it for the pages.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.accounts.service import WorkerPrincipal
from assay.db.models import Project, Reviewer
from assay.projects.repository import eligible_projects


def list_worker_projects(session: Session, who: WorkerPrincipal) -> list[Project]:
    stmt = select(Project).where(Project.id.in_(eligible_projects(who.org_id)))
    return list(session.scalars(stmt.order_by(Project.id)))


def get_worker_project(session: Session, who: WorkerPrincipal,
                       project_id: str) -> Project | None:
    stmt = select(Project).where(Project.id == project_id,
                                 Project.id.in_(eligible_projects(who.org_id)))
    return session.scalars(stmt).first()


def reviewed_projects(session: Session, who: WorkerPrincipal) -> dict[str, int]:
    """The projects this worker reviews, with their review level."""
    return dict(session.execute(select(Reviewer.project_id, Reviewer.level).where(
        Reviewer.worker_id == who.worker_id)).tuples().all())


def review_level(session: Session, who: WorkerPrincipal, project_id: str) -> int | None:
    reviewer = session.get(Reviewer, (project_id, who.worker_id))
    return reviewer.level if reviewer is not None else None
