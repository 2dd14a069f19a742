"""Load the shared crowd datasets (read in place, never copied into the repository)."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ROOT = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "crowd"
CATEGORICAL = ("d_product", "d_possent", "s_rel", "s_adult", "duck", "dog", "face")
NUMERIC = ("n_emotion",)


def datasets_root() -> Path:
    """``$ASSAY_CROWD_DATASETS`` or ``shared/datasets/crowd`` beside the repository."""
    return Path(os.environ.get("ASSAY_CROWD_DATASETS", DEFAULT_ROOT))


@dataclass(frozen=True)
class CrowdDataset:
    name: str
    tasks: list[str]
    workers: list[str]
    labels: list[str]
    truth: dict[str, str]


def load(name: str, root: Path | None = None) -> CrowdDataset:
    folder = (root or datasets_root()) / name
    tasks: list[str] = []
    workers: list[str] = []
    labels: list[str] = []
    with open(folder / "answers.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            workers.append(row["worker"])
            tasks.append(row["task"])
            labels.append(row["label"])
    with open(folder / "truth.csv", newline="") as handle:
        truth = {row["task"]: row["truth"] for row in csv.DictReader(handle)}
    return CrowdDataset(name, tasks, workers, labels, truth)
