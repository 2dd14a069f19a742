"""The background refit: Dawid-Skene over each project's answers, so that every worker has
a model estimate of their accuracy even before (or without) gold.

A project is refitted when it has answers newer than its ``refit_marker``. The slow part
(reading every answer, the fit, the search for colluding pairs) runs on a read snapshot
(:func:`prepare_refit`), so neither SQLite's single writer nor the project's row lock waits
on it; a short write then stores the estimates, flags, pauses, and settles tasks again
(:mod:`assay.quality.resettle`, which checks each task under its lock, so a snapshot a
moment old is safe). The estimate of a worker is their *leave-one-out* accuracy: each of
their answers scored against the task's posterior without that answer
(:func:`assay.algorithms.posterior_workers.leave_one_out_counts`), since on a task with few
answers the full posterior mostly echoes the worker's own answer and flatters everyone. It
is stored with the number of answers behind it; adaptive overlap adds it to the worker's
gold record as that many expected right answers. A worker whose model accuracy is
confidently below the project's bar, on enough answers, is paused just as gold would pause
them (treating the estimate as ``accuracy * answers`` successes, a conservative reading with
``MIN_ANSWERS`` and ``RISK`` set strictly).

For adaptive overlap's confusion posterior the refit also stores, beside each such
worker's accuracy, the leave-one-out confusion counts it comes from
(``ProjectWorker.model_confusion``), and, once the fit covers ``MODEL_MIN_TASKS`` tasks, the
crowd's (``Project.crowd_model``): the expected number of tasks of each class and every
worker's leave-one-out counts together. Counts rather than normalised rates, each with the
labels they refer to, so that :mod:`assay.quality.adaptive` can carry them over to labels
added (or reordered) after the refit and smooth them itself.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from assay.clock import utcnow
from assay.crypto.keys import shredded_org_ids
from assay.db.engine import Database
from assay.db.locks import try_lock
from assay.integrity import service as integrity
from assay.jobs.offload import map_calls
from assay.kinds import categorical_kinds
from assay.projects import service as projects
from assay.quality import repository
from assay.quality import service as quality
from assay.quality.labels import categorical_labels

if TYPE_CHECKING:
    import numpy as np

    from assay.algorithms import Answers
    from assay.algorithms.answers import Encoding

log = logging.getLogger("assay.quality")

MIN_ANSWERS = 20
RISK = 0.01
MODEL_MIN_ANSWERS = 10  # a worker's model estimate is kept from this many answers on
MODEL_MIN_TASKS = 5     # the crowd's (class and confusion counts) from this many tasks on
DECIMALS = 4            # stored counts are expected counts: four decimals are plenty


def _rounded(values: np.ndarray) -> list[Any]:
    import numpy as np

    result: list[Any] = np.round(values, DECIMALS).tolist()
    return result


@dataclass(frozen=True)
class Prepared:
    """What a refit computes from one snapshot, before it takes any lock."""

    key: str
    labels: list[str]
    newest: str | None                 # the newest answer id the snapshot saw
    answers: Answers | None = None     # counted live answers (None: there are none)
    encoding: Encoding | None = None
    posteriors: np.ndarray | None = None
    counts: np.ndarray | None = None   # leave-one-out confusion counts per worker
    settled: list[Any] = field(default_factory=list)  # resettle's candidates
    pairs: dict[tuple[str, str], Any] = field(default_factory=dict)  # suspected collusion


def read_refit(session: Session, org_id: str, project_id: str) -> Prepared | None:
    """Everything a refit reads, from one snapshot, in any transaction (a read snapshot keeps
    it outside the write lock): the counted answers, encoded, and what the write will need;
    the fit itself is :func:`fit_answers`."""
    from assay.algorithms import encode_answers
    from assay.quality.resettle import candidates

    project = projects.get_project_in_org(session, org_id, project_id)
    found = categorical_labels(project)
    if found is None:
        return None
    key, labels = found
    rows = repository.list_counted_live_answers(session, project.org_id, project.id)
    newest = repository.get_newest_answer_id(session, project.org_id, project.id)
    pairs = integrity.suspicious_pairs(session, project.org_id, project.id)
    if not rows:
        return Prepared(key, labels, newest, pairs=pairs)
    answers, encoding = encode_answers([r.task_id for r in rows], [r.worker_id for r in rows],
                                       [r.answer[key] for r in rows], classes=labels)
    # The tasks to settle again, only where the write will settle them (see refit_project).
    settles = answers.n_tasks >= MODEL_MIN_TASKS and project.quality.get("resettle", True)
    return Prepared(key, labels, newest, answers, encoding, None, None,
                    candidates(session, project.org_id, project.id) if settles else [], pairs)


def fit_answers(answers: Answers) -> tuple[np.ndarray, np.ndarray]:
    """The refit's computation, pure (arrays in, arrays out), so it can run on Ray
    (:mod:`assay.jobs.offload`): the Dawid-Skene posteriors and every worker's leave-one-out
    confusion counts."""
    from assay.algorithms import dawid_skene
    from assay.algorithms.posterior_workers import leave_one_out_counts

    fit = dawid_skene(answers)
    return fit.posteriors, leave_one_out_counts(answers, fit.posteriors, fit.confusion)


def _fitted(read: Prepared | None,
            fit: tuple[np.ndarray, np.ndarray] | None) -> Prepared | None:
    if read is None or fit is None:
        return read
    return replace(read, posteriors=fit[0], counts=fit[1])


def prepare_refit(session: Session, org_id: str, project_id: str) -> Prepared | None:
    """The slow part of a refit (reading every counted answer, Dawid-Skene), in any
    transaction: a read snapshot keeps it outside the write lock."""
    read = read_refit(session, org_id, project_id)
    return _fitted(read, fit_answers(read.answers)
                   if read is not None and read.answers is not None else None)


def refit_project(session: Session, org_id: str, project_id: str,
                  prepared: Prepared | None = None) -> int:
    """Refit one of the organization's projects (from ``prepared``, computed on an earlier
    snapshot, or now); returns the number of workers whose estimate was updated."""
    import numpy as np

    from assay.quality.resettle import resettle

    project = projects.get_project_in_org(session, org_id, project_id, for_update=True)
    if prepared is None:
        prepared = prepare_refit(session, org_id, project_id)
    elif (prepared.newest is not None and project.refit_marker is not None
          and project.refit_marker >= prepared.newest):
        return 0  # another server applied a refit at least as new while this one fitted
    if prepared is None or categorical_labels(project) != (prepared.key, prepared.labels):
        return 0  # not categorical, or its labels changed since the snapshot: next time
    labels = prepared.labels
    project.refit_marker = prepared.newest
    integrity.flag_pairs(session, project, prepared.pairs, utcnow())
    answers, encoding, counts = prepared.answers, prepared.encoding, prepared.counts
    if answers is None or encoding is None or counts is None or prepared.posteriors is None:
        return 0
    per_worker = np.bincount(answers.worker, minlength=answers.n_workers)
    accuracy = np.trace(counts, axis1=1, axis2=2) / np.maximum(per_worker, 1)
    if answers.n_tasks >= MODEL_MIN_TASKS:
        project.crowd_model = {
            "labels": labels, "tasks": answers.n_tasks,
            "class_counts": _rounded(prepared.posteriors.sum(axis=0)),
            "confusion_counts": _rounded(counts.sum(axis=0))}
    bar = float(project.quality.get("min_worker_accuracy", 0.0))
    chance = 1.0 / len(labels)
    now = utcnow()
    # A worker whose appeal was granted is judged afresh by checks (gold, review) only: the
    # model's estimate still covers the answers that led to the pause.
    granted = repository.list_granted_workers(session, project.org_id, project.id)
    for w, worker_id in enumerate(encoding.workers):
        n = int(per_worker[w])
        if n < MODEL_MIN_ANSWERS:
            continue  # an estimate from a handful of answers is noise: keep the prior
        standing = quality.standing_for(session, project, worker_id, now)
        standing.model_accuracy = float(accuracy[w])
        standing.model_answers = n
        standing.model_confusion = {"labels": labels, "counts": _rounded(counts[w])}
        right = round(float(accuracy[w]) * n)
        if standing.status == "active" and worker_id not in granted:
            reason = quality.pause_reason(right, n, bar, chance, RISK, MIN_ANSWERS)
            if reason is not None:
                quality.pause_worker(session, project, worker_id, reason, now)
    if answers.n_tasks < MODEL_MIN_TASKS:
        return answers.n_workers  # too little for the fit to overrule anyone
    settled = resettle(session, project, answers, encoding, prepared.posteriors, now,
                       prepared.settled)
    if settled.reopened or settled.relabelled:
        log.info("refit of project %s: %d tasks reopened, %d relabelled", project.id,
                 settled.reopened, settled.relabelled)
    return answers.n_workers


def refit_due_projects(db: Database, ray_address: str | None = None) -> int:
    """Refit every categorical project with answers newer than its last refit (one index
    seek per project to find its newest answer), skipping one another process is refitting
    now; returns how many this call refitted. With ``ray_address``, up to :data:`FIT_BATCH`
    projects at a time are read, fitted together on Ray (:mod:`assay.jobs.offload`) and
    written one by one; without, each project is read, fitted and written in turn here."""
    with db.read() as session:
        # Every organization's projects: the refit is the platform's background job.
        markers = repository.list_refit_projects(session, None, categorical_kinds())
        shredded = shredded_org_ids(session)  # nothing of theirs can be read any more
        due = []
        for org_id, project_id, marker in markers:
            if org_id in shredded:
                continue
            newest = repository.get_newest_answer_id(session, org_id, project_id)
            if newest is not None and (marker is None or newest > marker):
                due.append((org_id, project_id))
    done = 0
    size = FIT_BATCH if ray_address else 1  # in this process, fitting together gains nothing
    for start in range(0, len(due), size):
        done += _refit_batch(db, due[start:start + size], ray_address)
    return done


FIT_BATCH = 8
"""Projects read, fitted together (on Ray) and written per round of the refit; each holds
its refit lock (on PostgreSQL a connection) meanwhile."""


def _refit_batch(db: Database, batch: list[tuple[str, str]], ray_address: str | None) -> int:
    with ExitStack() as held:
        reads: list[tuple[str, str, Prepared | None]] = []
        for org_id, project_id in batch:
            # One refit of a project at a time across every process on the database:
            # another holding the lock is refitting it now, so this one skips it.
            if not held.enter_context(try_lock(db, f"refit:{project_id}")):
                continue
            try:
                with db.read() as session:
                    reads.append((org_id, project_id, read_refit(session, org_id, project_id)))
            except Exception:  # one project's failure must not stop the others
                log.exception("refit of project %s failed", project_id)
        inputs = [read.answers for _, _, read in reads
                  if read is not None and read.answers is not None]
        fits = iter(map_calls(fit_answers, inputs, ray_address))
        done = 0
        for org_id, project_id, read in reads:
            try:
                prepared = (_fitted(read, next(fits))
                            if read is not None and read.answers is not None else read)
                db.write(partial(refit_project, org_id=org_id, project_id=project_id,
                                 prepared=prepared))
                done += 1
            except Exception:  # one project's failure must not stop the others
                log.exception("refit of project %s failed", project_id)
        return done
