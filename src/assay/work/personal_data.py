"""``assay worker erase``: a worker's personal data goes, their work stays pseudonymous.

Removed: the email (replaced by ``erased:<worker id>``), the password, the token, every
browser session, the clearances; live leases end. Kept under the worker's id: their
answers, checks, standing, flags, reviews, appeals and ledger entries, so that results,
quality figures and pay stay as they were. Requesters never saw more than the id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.accounts.service import find_worker
from assay.auditlog import service as auditlog
from assay.auditlog.service import OPERATOR
from assay.clock import isoformat
from assay.errors import NotFound
from assay.work import repository


def erase_worker(session: Session, worker_id: str, now: datetime) -> dict[str, Any]:
    """Erase the worker's personal data (idempotent: an erased worker stays erased)."""
    worker = find_worker(session, worker_id)
    if worker is None:
        raise NotFound(f"worker {worker_id} does not exist")
    if worker.erased_at is None:
        repository.end_all_worker_leases(session, worker.id, now)
        repository.erase_worker_credentials(session, worker.id, now)
        if worker.org_id is not None:  # a crowd worker belongs to no organization's log
            auditlog.record(session, OPERATOR, "worker.erase", worker.id,
                            org_id=worker.org_id, at=now)
        session.expire(worker)
        erased_at = now
    else:
        erased_at = worker.erased_at
    return {"worker_id": worker_id, "erased": True, "erased_at": isoformat(erased_at)}
