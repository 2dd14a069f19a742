"""``boxes``: the rules beside the shapes (``schemas.py``).

- The stored answer sorts the boxes by ``(y, x, h, w, label)``, top to bottom.
- Result: boxes clustered across the answers by IoU
  (:func:`assay.algorithms.boxes.aggregate_boxes`, ``method: "box_median"``): a box of one
  answer joins the cluster of a box of the same label from another answer when their IoU
  is at least 0.5, a cluster drawn by more than half the answers is kept, and its box is the
  coordinate-wise median. Its confidence is the mean box F1 of the answers against it (at
  IoU 0.5): 1 when all agree.
- Match: the F1 of a one-to-one matching of same-label boxes at ``quality.match.min_iou``
  (:func:`assay.algorithms.similarity.box_f1`), against ``quality.match.min_f1``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from assay.kinds.base import NO_AGGREGATE, Aggregate, FormField, Kind
from assay.kinds.boxes.schemas import Answer, Data, Params
from assay.kinds.matching import DEFAULT_POLICY, Match, MatchPolicy, clears

if TYPE_CHECKING:
    from assay.algorithms.boxes import Box

CLUSTER_IOU = 0.5
MAJORITY = 0.5
METHOD = "box_median"


def boxes_of(answer: Mapping[str, Any]) -> list[Box]:
    """A normalized answer's boxes as ``(x0, y0, x1, y1, label)``. A box too thin to have
    an extent in floating point (``x + w == x``: ``w`` of 1e-90) covers nothing and is left
    out."""
    corners = [(b["x"], b["y"], b["x"] + b["w"], b["y"] + b["h"], b["label"])
               for b in answer.get("boxes") or []]
    return [box for box in corners if box[0] < box[2] and box[1] < box[3]]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def sort_key(box: Mapping[str, Any]) -> tuple[Any, ...]:
    return (box["y"], box["x"], box["h"], box["w"], box["label"])


class Boxes(Kind):
    name = "boxes"
    position = 30
    params_schema = Params
    data_schema = Data
    answer_schema = Answer
    adaptive_consensus = True
    form_fields = (FormField("labels", "Labels", "lines"),)

    def normalize_answer(self, params: dict[str, Any], model: BaseModel) -> dict[str, Any]:
        assert isinstance(model, Answer)
        return {"boxes": sorted((box.model_dump() for box in model.boxes), key=sort_key)}

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        return {box["label"] for box in answer["boxes"]}

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        from assay.algorithms.boxes import aggregate_boxes
        from assay.algorithms.similarity import box_f1

        if not answers:
            return NO_AGGREGATE
        given = [boxes_of(a) for a in answers]
        clusters = aggregate_boxes(given, iou_threshold=CLUSTER_IOU, min_support=MAJORITY)
        agreed: list[Box] = [(c.x0, c.y0, c.x1, c.y1, c.label) for c in clusters]
        confidence = sum(box_f1(agreed, boxes, min_iou=CLUSTER_IOU) for boxes in given)
        result = [{"x": _number(x0), "y": _number(y0), "w": _number(x1 - x0),
                   "h": _number(y1 - y0), "label": label} for x0, y0, x1, y1, label in agreed]
        return Aggregate({"boxes": sorted(result, key=sort_key)}, confidence / len(given),
                         METHOD)

    def match(self, params: Mapping[str, Any], expected: Mapping[str, Any],
              answer: Mapping[str, Any], policy: MatchPolicy = DEFAULT_POLICY) -> Match:
        from assay.algorithms.similarity import box_f1

        score = box_f1(boxes_of(expected), boxes_of(answer), min_iou=policy.min_iou)
        return Match(score, clears(score, policy.min_f1))
