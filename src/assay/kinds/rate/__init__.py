"""``rate``: score a task on an integer scale, overall or on several criteria."""

from assay.kinds.rate.kind import Rate

KIND = Rate()
