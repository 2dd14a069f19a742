"""Cells a spreadsheet will not run: the CSV injection defence OWASP recommends.

Spreadsheet programs treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), and some strip a leading tab or carriage
return first. Task data, metadata and ``unique_id`` come from upstream systems, so any of
them may start so. Such a cell is written with a leading ``'``, which spreadsheets read as
"this is text" and do not show; the CSV stays a CSV (quoting is the writer's job).
JSON Lines exports are data for programs and are left exactly as stored.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: Any) -> Any:
    """``cell`` with a ``'`` in front when it is text a spreadsheet would read as a formula;
    numbers and other text unchanged.

    >>> [spreadsheet_safe(c) for c in ("=1+2", "-3", "@A1", "\\tx", "plain", 0.5)]
    ["'=1+2", "'-3", "'@A1", "'\\tx", 'plain', 0.5]
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell
