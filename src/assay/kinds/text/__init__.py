"""``text``: write free text about a task (a transcription, a caption, an answer)."""

from assay.kinds.text.kind import Text

KIND = Text()
