"""``assay demo``: a server on an embedded SQLite file, a seeded organization, and a
simulated crowd answering through the real API."""

from assay.demo.run import run_demo

__all__ = ["run_demo"]
