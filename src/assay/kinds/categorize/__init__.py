"""``categorize``: pick one label (or, with ``multiple``, any set of labels) for a task."""

from assay.kinds.categorize.kind import Categorize

KIND = Categorize()
