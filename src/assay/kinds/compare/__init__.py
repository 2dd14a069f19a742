"""``compare``: say which of two responses to a prompt is better (pairwise preference)."""

from assay.kinds.compare.kind import Compare

KIND = Compare()
