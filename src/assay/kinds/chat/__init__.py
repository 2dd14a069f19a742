"""``chat``: conversations with live model replies, ranked, scored and rewritten by people."""

from assay.kinds.chat.kind import Chat

KIND = Chat()
