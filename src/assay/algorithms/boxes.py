"""Consensus of bounding boxes by IoU clustering."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from assay.algorithms.errors import InvalidParameterError, LabelOutOfRangeError, NoAnswersError

Box = tuple[float, float, float, float, Hashable]
"""``(x0, y0, x1, y1, label)`` with ``x0 < x1`` and ``y0 < y1``."""

__all__ = ["Box", "ConsensusBox", "aggregate_boxes", "iou_matrix"]


@dataclass(frozen=True)
class ConsensusBox:
    """A consensus box: the coordinate-wise median of a cluster of matching boxes.

    ``support`` is the share of workers who drew a box in the cluster; ``mean_iou`` the mean
    IoU of the cluster's boxes with the consensus box.
    """

    x0: float
    y0: float
    x1: float
    y1: float
    label: Hashable
    support: float
    mean_iou: float


def iou_matrix(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Intersection over union of every pair of boxes, ``(n, 4) x (m, 4) -> (n, m)``."""
    low = np.maximum(first[:, None, :2], second[None, :, :2])
    high = np.minimum(first[:, None, 2:], second[None, :, 2:])
    intersection = np.prod(np.clip(high - low, 0.0, None), axis=2)
    area_first = np.prod(first[:, 2:] - first[:, :2], axis=1)
    area_second = np.prod(second[:, 2:] - second[:, :2], axis=1)
    union = area_first[:, None] + area_second[None, :] - intersection
    return np.divide(intersection, union, out=np.zeros_like(union), where=union > 0)


def aggregate_boxes(
    answers: Sequence[Sequence[Box]],
    *,
    iou_threshold: float = 0.5,
    min_support: float = 0.5,
) -> list[ConsensusBox]:
    """Cluster the boxes several workers drew on one image and keep the agreed ones.

    Greedy clustering: boxes are taken in order of how well the other workers' boxes of the
    same label overlap them (the sum of their IoUs, highest first). An unclustered box seeds a
    cluster, and every other worker adds their unclustered box of the same label with the
    highest IoU with the seed, if that IoU reaches ``iou_threshold``; a cluster therefore has
    at most one box per worker. Clusters drawn by more than ``min_support`` of the workers are
    kept, and the consensus is the coordinate-wise median of their boxes.

    Parameters
    ----------
    answers : sequence of sequences of (x0, y0, x1, y1, label)
        One entry per worker; an empty list means "nothing here" and counts as a vote.
    iou_threshold : float
        Minimum IoU with the seed to join its cluster, in (0, 1].
    min_support : float
        Share of workers a cluster needs, strictly exceeded, in [0, 1).

    Returns
    -------
    list of ConsensusBox
        Most supported first.

    Examples
    --------
    >>> boxes = aggregate_boxes([[(0, 0, 10, 10, "car")], [(1, 1, 11, 11, "car")], []])
    >>> [(b.x0, b.x1, b.label, round(b.support, 2)) for b in boxes]
    [(0.5, 10.5, 'car', 0.67)]
    """
    if not answers:
        raise NoAnswersError("there are no answers to aggregate")
    if not 0.0 < iou_threshold <= 1.0 or not 0.0 <= min_support < 1.0:
        raise InvalidParameterError("need 0 < iou_threshold <= 1 and 0 <= min_support < 1")
    rows: list[tuple[float, float, float, float]] = []
    owners: list[int] = []
    labels: list[Hashable] = []
    for worker, worker_boxes in enumerate(answers):
        for box in worker_boxes:
            x0, y0, x1, y1, label = box
            if not (np.isfinite([x0, y0, x1, y1]).all() and x0 < x1 and y0 < y1):
                raise LabelOutOfRangeError(f"box {box!r} needs finite x0 < x1 and y0 < y1")
            rows.append((float(x0), float(y0), float(x1), float(y1)))
            owners.append(worker)
            labels.append(label)
    if not rows:
        return []
    coords = np.array(rows)
    owner = np.array(owners)
    same_label = np.array([[a == b for b in labels] for a in labels])
    iou = iou_matrix(coords, coords) * same_label * (owner[:, None] != owner[None, :])
    order = np.argsort(-iou.sum(axis=1), kind="stable")
    free = np.ones(len(rows), dtype=bool)
    result = []
    for seed in order:
        if not free[seed]:
            continue
        members = [int(seed)]
        for worker in range(len(answers)):
            candidates = np.flatnonzero(free & (owner == worker) & (iou[seed] >= iou_threshold))
            if worker != owner[seed] and candidates.size:
                members.append(int(candidates[np.argmax(iou[seed, candidates])]))
        support = len(members) / len(answers)
        if support <= min_support:
            continue
        free[members] = False
        consensus = np.median(coords[members], axis=0)
        mean_iou = float(iou_matrix(coords[members], consensus[None, :]).mean())
        x0, y0, x1, y1 = (float(value) for value in consensus)
        result.append(ConsensusBox(x0, y0, x1, y1, labels[seed], support, mean_iou))
    result.sort(key=lambda box: -box.support)
    return result
