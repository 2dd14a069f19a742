"""``spans``: mark labelled character ranges in a text (named entities and the like)."""

from assay.kinds.spans.kind import Spans

KIND = Spans()
