"""``boxes``' shapes.

- params: ``{"labels": [...]}``.
- data: a JSON object with ``image_url``, an ``http://`` or ``https://`` URL with a host, or
  a ``data:image/...`` URL (the worker's browser loads it, so other schemes are refused).
  Optional ``width`` and ``height`` (positive integers, pixels) bound the boxes when given.
- answer: ``{"boxes": [{"x": 10, "y": 20, "w": 30, "h": 40, "label": "car"}]}`` in pixels
  from the top-left corner: ``x, y >= 0``, ``w, h > 0`` (integers or finite decimals), and
  ``x + w <= width``, ``y + h <= height`` when the data gives them. Boxes may overlap; the
  list may be empty (nothing to mark).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import ConfigDict, ValidationInfo, model_validator

from assay.kinds.schema import (
    KindModel,
    LabelList,
    Loc,
    ProjectLabel,
    checked,
    field_errors,
    is_int,
    is_number,
    list_of,
    task_data,
)


def is_image_url(value: Any) -> bool:
    """True for an http(s) URL with a host, or a ``data:image/`` URL."""
    if not isinstance(value, str):
        return False
    if value.startswith("data:image/"):
        return "," in value
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class Params(KindModel):
    labels: LabelList


Pixels = Annotated[Any, checked(lambda v: is_int(v) and v > 0,
                                "must be a positive integer (pixels)")]


class Data(KindModel):
    model_config = ConfigDict(extra="allow")

    image_url: Annotated[Any, checked(is_image_url,
                                      "must be an http(s) URL or a data:image/ URL")]
    width: Pixels = None
    height: Pixels = None


Origin = Annotated[Any, checked(lambda v: is_number(v) and v >= 0, "must be a number >= 0")]
Size = Annotated[Any, checked(lambda v: is_number(v) and v > 0, "must be a number > 0")]


class Box(KindModel):
    x: Origin
    y: Origin
    w: Size
    h: Size
    label: ProjectLabel

    @model_validator(mode="after")
    def _inside_the_image(self, info: ValidationInfo) -> Box:
        data = task_data(info)
        errors: list[tuple[Loc, str]] = []
        for origin, size, name in (("x", "w", "width"), ("y", "h", "height")):
            limit = data.get(name)
            start, extent = getattr(self, origin), getattr(self, size)
            if limit is None:
                continue
            if start >= limit:
                errors.append(((origin,), f"must be less than the image {name} ({limit})"))
            elif start + extent > limit:
                errors.append(((size,), f"{origin} + {size} exceeds the image {name} ({limit})"))
        if errors:
            raise field_errors(errors)
        return self


class Answer(KindModel):
    boxes: Annotated[list[Box], list_of("boxes")]
