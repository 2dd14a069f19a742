"""Connects each feature's subscribers to the events of the features below it, once per
process (:mod:`assay.events`). The app factory, the CLI and the test suite call
:func:`install`; it is idempotent."""

from __future__ import annotations

from assay import crypto, events
from assay.batches import subscribers as batches
from assay.conversations import subscribers as conversations
from assay.curation import subscribers as curation
from assay.work import subscribers as work


def install() -> None:
    crypto.install()
    batches.install()
    work.install()
    curation.install()
    conversations.install()
    events.mark_wired()
