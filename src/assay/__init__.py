"""Assay: a self-hosted data engine for AI."""

__version__ = "0.1.0"
