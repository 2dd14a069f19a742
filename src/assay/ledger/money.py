"""Money as exact integers of micro-units (millionths), shown as decimal strings."""

from __future__ import annotations

from decimal import Decimal

MICROS = 1_000_000


def to_micros(amount: str | Decimal) -> int:
    value = Decimal(amount) * MICROS
    if value != value.to_integral_value():
        raise ValueError(f"{amount} has more than 6 decimal places")
    return int(value)


def to_text(micros: int) -> str:
    """``1234500`` → ``"1.2345"``; whole amounts keep two places (``"3.00"``)."""
    text = format(Decimal(micros) / MICROS, "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return f"{whole}.{frac.ljust(2, '0')}"
