"""Sensitivity levels and the clearances that open them.

A project is ``standard`` (default), ``confidential`` or ``restricted``; a worker holds
clearances granted by an admin of their organization. The levels are ordered: a
``restricted`` clearance covers ``confidential`` projects too, and everybody may see
``standard`` ones. Crowd workers hold none (only an organization's admin grants clearances,
and only to its own team), so a crowd project above ``standard`` is offered to nobody, and
a ``restricted`` one may not take the crowd at all (``422``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Sensitivity = Literal["standard", "confidential", "restricted"]
Clearance = Literal["confidential", "restricted"]
LEVELS: tuple[str, ...] = ("standard", "confidential", "restricted")


def visible_levels(clearances: Iterable[str] | None) -> tuple[str, ...]:
    """The project sensitivities a worker with these clearances may be offered."""
    held = [LEVELS.index(c) for c in (clearances or ()) if c in LEVELS]
    return LEVELS[:max(held, default=0) + 1]


def normalized(clearances: Iterable[str]) -> list[str]:
    """Clearances as stored and shown: each once, lowest level first."""
    return sorted(set(clearances), key=LEVELS.index)
