"""``boxes``: draw labelled axis-aligned rectangles on an image.

- params: ``{"labels": [...]}``.
- data: a JSON object with ``image_url``, an ``http://`` or ``https://`` URL with a host, or
  a ``data:image/...`` URL (the worker's browser loads it, so other schemes are refused).
  Optional ``width`` and ``height`` (positive integers, pixels) bound the boxes when given.
- answer: ``{"boxes": [{"x": 10, "y": 20, "w": 30, "h": 40, "label": "car"}]}`` in pixels
  from the top-left corner: ``x, y >= 0``, ``w, h > 0`` (integers or finite decimals), and
  ``x + w <= width``, ``y + h <= height`` when the data gives them. Boxes may overlap; the list
  may be empty (nothing to mark). The normalized answer sorts the boxes by
  ``(y, x, h, w, label)``, top to bottom.
- aggregate: none yet (``method: "none"``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from assay.kinds.base import NO_AGGREGATE, Aggregate, Kind
from assay.kinds.checks import (
    ErrorList,
    as_object,
    check_label,
    check_labels,
    is_int,
    is_number,
    reject_unknown_keys,
    require_keys,
)

BOX_KEYS = ("x", "y", "w", "h", "label")


def is_image_url(value: str) -> bool:
    """True for an http(s) URL with a host, or a ``data:image/`` URL."""
    if value.startswith("data:image/"):
        return "," in value
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class Boxes(Kind):
    name = "boxes"

    def validate_params(self, params: Any) -> dict[str, Any]:
        errors = ErrorList()
        obj = as_object({} if params is None else params, "params", errors)
        labels: list[str] = []
        if obj is not None:
            reject_unknown_keys(obj, ("labels",), "params", errors)
            labels = check_labels(obj, errors)
        errors.raise_if_any()
        return {"labels": labels}

    def validate_data(self, params: dict[str, Any], data: Any) -> None:
        errors = ErrorList()
        obj = as_object(data, "data", errors)
        if obj is not None:
            if require_keys(obj, ("image_url",), "data", errors):
                url = obj["image_url"]
                if not isinstance(url, str) or not is_image_url(url):
                    errors.add("data.image_url", "must be an http(s) URL or a data:image/ URL")
            for key in ("width", "height"):
                if key in obj and not (is_int(obj[key]) and obj[key] > 0):
                    errors.add(f"data.{key}", "must be a positive integer (pixels)")
        errors.raise_if_any()

    def validate_answer(self, params: dict[str, Any], data: Any, answer: Any) -> dict[str, Any]:
        errors = ErrorList()
        obj = as_object(answer, "answer", errors)
        if obj is not None:
            reject_unknown_keys(obj, ("boxes",), "answer", errors)
            if require_keys(obj, ("boxes",), "answer", errors) and not isinstance(
                obj["boxes"], list
            ):
                errors.add("answer.boxes", "must be a list of boxes")
        if obj is None or not isinstance(obj.get("boxes"), list):
            errors.raise_if_any()
        assert obj is not None
        bounds = {"x": data.get("width"), "y": data.get("height")}
        boxes = []
        for i, item in enumerate(obj["boxes"]):
            box = self._check_box(item, f"answer.boxes[{i}]", params["labels"], bounds, errors)
            if box is not None:
                boxes.append(box)
        errors.raise_if_any()
        boxes.sort(key=lambda b: (b["y"], b["x"], b["h"], b["w"], b["label"]))
        return {"boxes": boxes}

    @staticmethod
    def _check_box(
        item: Any, path: str, labels: list[str], bounds: dict[str, Any], errors: ErrorList
    ) -> dict[str, Any] | None:
        obj = as_object(item, path, errors)
        if obj is None:
            return None
        before = len(errors.items)
        reject_unknown_keys(obj, BOX_KEYS, path, errors)
        if not require_keys(obj, BOX_KEYS, path, errors):
            return None
        for key in ("x", "y"):
            if not is_number(obj[key]) or obj[key] < 0:
                errors.add(f"{path}.{key}", "must be a number >= 0")
        for key in ("w", "h"):
            if not is_number(obj[key]) or obj[key] <= 0:
                errors.add(f"{path}.{key}", "must be a number > 0")
        label = check_label(obj["label"], labels, f"{path}.label", errors)
        if len(errors.items) > before:
            return None
        for origin, size, name in (("x", "w", "width"), ("y", "h", "height")):
            limit = bounds[origin]
            if limit is None:
                continue
            if obj[origin] >= limit:
                errors.add(f"{path}.{origin}", f"must be less than the image {name} ({limit})")
            elif obj[origin] + obj[size] > limit:
                errors.add(
                    f"{path}.{size}", f"{origin} + {size} exceeds the image {name} ({limit})"
                )
        return {key: obj[key] for key in BOX_KEYS[:4]} | {"label": label}

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        return {box["label"] for box in answer["boxes"]}

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        return NO_AGGREGATE
