"""The errors of encryption at rest, mapped like every domain error (http/errors.py)."""

from __future__ import annotations

from assay.errors import AssayError


class Erased(AssayError):
    """The organization's data key was destroyed (``assay org shred``): its content is gone."""

    status = 410
    code = "erased"

    def __init__(self) -> None:
        super().__init__("this organization's content was erased")


class KeyUnavailable(AssayError):
    """The data key cannot be unwrapped now: the customer-held key file is missing or
    wrong, or the master key is not the one that wrapped it."""

    status = 503
    code = "key_unavailable"
    retry_after = 10

    def __init__(self, reason: str) -> None:
        super().__init__("the organization's data key is unavailable")
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class KeyFileError(ValueError):
    """A master or customer key that is not 32 bytes (raw, or base64 of 32 bytes)."""
