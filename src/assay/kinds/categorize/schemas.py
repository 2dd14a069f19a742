"""``categorize``'s shapes.

- params: ``{"labels": [...], "multiple": false}``: 1 to 1,000 unique, non-blank labels;
  ``multiple`` changes the answer's shape, so it cannot change after creation.
- data: any JSON object (usually ``{"text": ...}`` or ``{"image_url": ...}``).
- answer: ``{"label": "x"}``; with ``multiple``, ``{"labels": ["x", "y"]}``: unique labels,
  possibly none ("none of these apply").
"""

from __future__ import annotations

from typing import Annotated

from assay.kinds.schema import KindModel, LabelList, ProjectLabel, unique_names


class Params(KindModel):
    labels: LabelList
    multiple: bool = False


class SingleAnswer(KindModel):
    label: ProjectLabel


class MultipleAnswer(KindModel):
    labels: Annotated[list[ProjectLabel], unique_names("labels", required=False)]
