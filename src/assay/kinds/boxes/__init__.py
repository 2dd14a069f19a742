"""``boxes``: draw labelled axis-aligned rectangles on an image."""

from assay.kinds.boxes.kind import Boxes

KIND = Boxes()
